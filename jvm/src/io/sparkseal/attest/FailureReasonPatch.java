package io.sparkseal.attest;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import org.apache.xbean.asm9.ClassReader;
import org.apache.xbean.asm9.ClassVisitor;
import org.apache.xbean.asm9.ClassWriter;
import org.apache.xbean.asm9.MethodVisitor;
import org.apache.xbean.asm9.Opcodes;

/**
 * Rewrites {@code org.apache.spark.ExceptionFailure(Throwable, Seq, boolean)} -- the one
 * constructor every task failure reason built from a throwable goes through -- so that it
 * takes its description, full stack trace and shipped throwable from {@code
 * io.sparkseal.FailureReasons}: three call sites, nothing else changes. The patch checks the
 * constructor still has exactly those three calls; if Spark changed it, nothing is patched
 * and {@link #problem()} says so (executors then refuse to run, see {@link SealingPlugin}).
 */
public final class FailureReasonPatch implements ClassFileTransformer {
  static final String TARGET = "org/apache/spark/ExceptionFailure";
  static final String CONSTRUCTOR = "(Ljava/lang/Throwable;Lscala/collection/immutable/Seq;Z)V";
  private static final String REASONS = "io/sparkseal/FailureReasons";
  private static volatile String problem = "org.apache.spark.ExceptionFailure was not loaded yet";

  static String problem() {
    return problem;
  }

  @Override
  public byte[] transform(ClassLoader loader, String className, Class<?> redefined,
      ProtectionDomain domain, byte[] bytes) {
    if (!TARGET.equals(className)) {
      return null;
    }
    try {
      ClassReader reader = new ClassReader(bytes);
      ClassWriter writer = new ClassWriter(reader, 0); // same stack shapes: frames unchanged
      Patcher patcher = new Patcher(writer);
      reader.accept(patcher, 0);
      if (patcher.getMessage != 1 || patcher.exceptionString != 1 || patcher.wrapper != 1) {
        problem = "Spark's ExceptionFailure constructor changed shape (" + patcher.getMessage
            + "/" + patcher.exceptionString + "/" + patcher.wrapper + " of 1/1/1 call sites):"
            + " this Spark version is not supported";
        return null;
      }
      problem = null;
      return writer.toByteArray();
    } catch (RuntimeException | LinkageError e) {
      problem = "patching ExceptionFailure failed: " + e.getClass().getSimpleName();
      return null;
    }
  }

  private static final class Patcher extends ClassVisitor {
    int getMessage;
    int exceptionString;
    int wrapper;

    Patcher(ClassVisitor next) {
      super(Opcodes.ASM9, next);
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String desc, String signature,
        String[] exceptions) {
      MethodVisitor mv = super.visitMethod(access, name, desc, signature, exceptions);
      if (!"<init>".equals(name) || !CONSTRUCTOR.equals(desc)) {
        return mv;
      }
      return new MethodVisitor(Opcodes.ASM9, mv) {
        @Override
        public void visitMethodInsn(int op, String owner, String method, String mdesc,
            boolean itf) {
          if (op == Opcodes.INVOKEVIRTUAL && "java/lang/Throwable".equals(owner)
              && "getMessage".equals(method)) {
            getMessage++;
            super.visitMethodInsn(Opcodes.INVOKESTATIC, REASONS, "description",
                "(Ljava/lang/Throwable;)Ljava/lang/String;", false);
          } else if (op == Opcodes.INVOKEVIRTUAL && "org/apache/spark/util/Utils$".equals(owner)
              && "exceptionString".equals(method)) {
            exceptionString++; // stack: Utils$ module, throwable -> a static taking both
            super.visitMethodInsn(Opcodes.INVOKESTATIC, REASONS, "fullStackTrace",
                "(Ljava/lang/Object;Ljava/lang/Throwable;)Ljava/lang/String;", false);
          } else if (op == Opcodes.INVOKESPECIAL
              && "org/apache/spark/ThrowableSerializationWrapper".equals(owner)
              && "<init>".equals(method)) {
            wrapper++; // the throwable on the stack becomes the one the driver may see
            super.visitMethodInsn(Opcodes.INVOKESTATIC, REASONS, "forDriver",
                "(Ljava/lang/Throwable;)Ljava/lang/Throwable;", false);
            super.visitMethodInsn(op, owner, method, mdesc, itf);
          } else {
            super.visitMethodInsn(op, owner, method, mdesc, itf);
          }
        }
      };
    }
  }
}

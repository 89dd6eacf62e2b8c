package io.sparkseal.attest;

import java.lang.instrument.Instrumentation;

/**
 * sparkseal's Java agent ({@code -javaagent:sparkseal-jvm.jar}, set by {@code harden()} and
 * {@code sparkseal submit} for the driver and executors). It installs {@link
 * FailureReasonPatch} before Spark loads, so task failure reasons are sealed where Spark
 * builds them. {@link #problem()} says why it is not in force, for {@code Status}.
 */
public final class Agent {
  private static volatile boolean started;

  private Agent() {}

  public static void premain(String args, Instrumentation inst) {
    inst.addTransformer(new FailureReasonPatch(), false);
    started = true;
  }

  /** Null if failure reasons are sealed at the source in this JVM; otherwise why not. */
  public static String problem() {
    if (!started) {
      return "failure reasons are not sealed at the source: the JVM was started without"
          + " -javaagent:<sparkseal-jvm.jar> (sparkseal.harden() and sparkseal submit add it)";
    }
    try { // loading the class runs the patch, if it has not run yet
      Class.forName(FailureReasonPatch.TARGET.replace('/', '.'), false, Agent.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return "org.apache.spark.ExceptionFailure cannot be loaded: " + e.getClass().getSimpleName();
    }
    return FailureReasonPatch.problem();
  }
}

package io.sparkseal;

import java.lang.reflect.Field;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A task's failure reason, sealed where Spark builds it. {@code attest.FailureReasonPatch}
 * makes {@code org.apache.spark.ExceptionFailure(Throwable, ...)} call these instead of
 * {@code getMessage()}, {@code Utils.exceptionString()} and the raw throwable, so the reason
 * sent to the driver -- and every copy of it in logs, the event log, the UI and the History
 * Server -- is sealed at the source, whatever the exception class: a message computed from
 * the exception's fields (a regex pattern, a URL) is sealed like a stored one, and so is text
 * a library appended after a part that was already sealed. Class names, Spark error
 * conditions, SQLSTATEs and frames stay readable.
 */
public final class FailureReasons {
  static final String WITHHELD = "[WITHHELD by sparkseal: SS003 the failure reason could not be sealed]";
  private static final Field CAUSE = ThrowableSealer.throwableField("cause");

  private FailureReasons() {}

  /** The reason's description: the message, sealed. */
  public static String description(Throwable t) {
    try {
      return ThrowableSealer.sealedMessage(t, Sealers.get());
    } catch (RuntimeException | LinkageError e) {
      return WITHHELD;
    }
  }

  /** The reason's full stack trace: printed as {@code printStackTrace} does, every message sealed. */
  public static String fullStackTrace(Object utils, Throwable t) {
    if (t == null) {
      return "";
    }
    try {
      StringBuilder out = new StringBuilder();
      ThrowableSealer.print(t, Sealers.get(), out);
      return out.toString();
    } catch (RuntimeException | LinkageError e) {
      return t.getClass().getName() + ": " + WITHHELD;
    }
  }

  /**
   * The throwable the driver receives (it rebuilds the job's exception from it): its own class,
   * so driver code and PySpark see the same exception types as on stock Spark, with every
   * stored message sealed in place. A cause whose message stays plaintext after that (it is
   * computed from the exception's fields) is replaced by a {@link SealedCause} that carries its
   * class name, sealed message and frames.
   */
  public static Throwable forDriver(Throwable t) {
    try {
      TokenSealer sealer = Sealers.get();
      ThrowableSealer.sealInPlace(t, sealer);
      replaceUnsealedCauses(t, sealer, Collections.newSetFromMap(new IdentityHashMap<>()));
    } catch (RuntimeException | LinkageError e) {
      // the reason strings are sealed on their own; the object stays as sealed as it got
    }
    return t;
  }

  private static void replaceUnsealedCauses(Throwable t, TokenSealer sealer, Set<Throwable> seen) {
    if (t == null || !seen.add(t)) {
      return;
    }
    Throwable cause = t.getCause();
    if (cause != null && CAUSE != null && !sealedInPlace(cause, sealer)) {
      try {
        CAUSE.set(t, new SealedCause(cause, sealer));
        return;
      } catch (IllegalAccessException e) {
        // leave it: its text is sealed wherever sparkseal prints it
      }
    }
    replaceUnsealedCauses(cause, sealer, seen);
    for (Throwable s : t.getSuppressed()) {
      replaceUnsealedCauses(s, sealer, seen);
    }
  }

  private static boolean sealedInPlace(Throwable t, TokenSealer sealer) {
    String msg;
    try {
      msg = t.getMessage();
    } catch (RuntimeException e) {
      return false;
    }
    return msg == null || msg.equals(ThrowableSealer.sealedMessage(t, sealer));
  }

  /** Stands in for a cause whose message could not be sealed in place. */
  public static final class SealedCause extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String className;

    SealedCause(Throwable original, TokenSealer sealer) {
      this(original, sealer, 0);
    }

    private SealedCause(Throwable original, TokenSealer sealer, int depth) {
      super(ThrowableSealer.sealedMessage(original, sealer), sealedCauseOf(original, sealer, depth));
      this.className = original.getClass().getName();
      setStackTrace(original.getStackTrace());
    }

    private static Throwable sealedCauseOf(Throwable original, TokenSealer sealer, int depth) {
      Throwable cause = original.getCause();
      if (cause == null || cause == original || depth >= 32) { // chains can loop
        return null;
      }
      return new SealedCause(cause, sealer, depth + 1);
    }

    /** The original class name, so printed traces read as before. */
    @Override
    public String toString() {
      String msg = getLocalizedMessage();
      return msg == null ? className : className + ": " + msg;
    }

    public String originalClassName() {
      return className;
    }
  }
}

package io.sparkseal;

import java.lang.reflect.Field;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.apache.spark.SparkThrowable;

/**
 * Seals the messages of a throwable, its causes and suppressed throwables, in place.
 *
 * <p>Spark's executor logs a failing task's throwable ("Exception in task") before it turns
 * the throwable into the task's failure reason; sealing it at that log call means the
 * reason sent to the driver -- and every copy made of it in logs, the event log and the UI
 * -- is sealed at the source. Needs {@code --add-opens java.base/java.lang=ALL-UNNAMED},
 * which Spark passes to its JVMs by default.
 */
public final class ThrowableSealer {
  static final String PYTHON_EXCEPTION = "org.apache.spark.api.python.PythonException";
  private static final Field DETAIL = throwableField("detailMessage");

  private ThrowableSealer() {}

  /** A private field of Throwable, made writable; null without the opened java.lang module. */
  static Field throwableField(String name) {
    try {
      Field f = Throwable.class.getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** Whether messages can be replaced in place (false without the add-opens option). */
  public static boolean inPlaceAvailable() {
    return DETAIL != null;
  }

  /**
   * The message to show for {@code t}: sealed, with a Spark error condition and SQLSTATE left
   * readable. A Python worker's traceback, already sealed by sparkseal's worker hooks (it
   * carries their tokens), is kept as it is so its frames stay readable.
   */
  public static String sealedMessage(Throwable t, TokenSealer sealer) {
    String msg = t.getMessage();
    if (msg == null || TokenSealer.isSealed(msg) || t instanceof SparksealException) {
      return msg; // nothing to seal, or sparkseal's own words (no data)
    }
    if (t.getClass().getName().equals(PYTHON_EXCEPTION)
        && !sealer.isWithholding()
        && (msg.contains("[SEALED:") || msg.contains("[WITHHELD by sparkseal"))) {
      return msg;
    }
    String head = "";
    String tail = "";
    if (t instanceof SparkThrowable) {
      SparkThrowable st = (SparkThrowable) t;
      String condition = safe(st::getCondition);
      if (condition != null && msg.startsWith("[" + condition + "]")) {
        head = "[" + condition + "]";
      }
      String state = safe(st::getSqlState);
      if (state != null && msg.endsWith("SQLSTATE: " + state)) {
        tail = " SQLSTATE: " + state;
      }
    }
    String body = msg.substring(head.length(), msg.length() - tail.length());
    return head + sealer.sealText(body) + tail;
  }

  private interface Getter {
    String get();
  }

  private static String safe(Getter g) {
    try {
      return g.get();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Replace every message in the chain by its sealed form. Returns false if some throwable
   * still reports plaintext afterwards (it computes {@code getMessage()} itself); such text is
   * sealed again wherever sparkseal prints it.
   */
  public static boolean sealInPlace(Throwable t, TokenSealer sealer) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    return seal(t, sealer, seen);
  }

  private static boolean seal(Throwable t, TokenSealer sealer, Set<Throwable> seen) {
    if (t == null || !seen.add(t)) {
      return true;
    }
    boolean ok = true;
    String original = t.getMessage();
    String sealed = sealedMessage(t, sealer);
    if (sealed != null && !sealed.equals(original)) {
      if (DETAIL == null) {
        ok = false;
      } else {
        try {
          DETAIL.set(t, sealed);
        } catch (IllegalAccessException e) {
          ok = false;
        }
        ok &= sealed.equals(t.getMessage());
      }
    }
    ok &= seal(t.getCause(), sealer, seen);
    for (Throwable s : t.getSuppressed()) {
      ok &= seal(s, sealer, seen);
    }
    return ok;
  }

  /** Render a throwable like {@code printStackTrace}, with every message sealed. */
  public static void print(Throwable t, TokenSealer sealer, StringBuilder out) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    print(t, sealer, out, new StackTraceElement[0], "", "", seen);
  }

  private static void print(Throwable t, TokenSealer sealer, StringBuilder out,
      StackTraceElement[] enclosing, String caption, String prefix, Set<Throwable> seen) {
    if (!seen.add(t)) {
      out.append(prefix).append(caption).append("[CIRCULAR REFERENCE: ")
          .append(t.getClass().getName()).append("]\n");
      return;
    }
    String msg = sealedMessage(t, sealer);
    String name = t instanceof FailureReasons.SealedCause
        ? ((FailureReasons.SealedCause) t).originalClassName() : t.getClass().getName();
    out.append(prefix).append(caption).append(name);
    if (msg != null) {
      out.append(": ").append(msg);
    }
    out.append('\n');
    StackTraceElement[] trace = t.getStackTrace();
    int m = trace.length - 1;
    int n = enclosing.length - 1;
    while (m >= 0 && n >= 0 && trace[m].equals(enclosing[n])) {
      m--;
      n--;
    }
    int common = trace.length - 1 - m;
    for (int i = 0; i <= m; i++) {
      out.append(prefix).append("\tat ").append(trace[i]).append('\n');
    }
    if (common != 0) {
      out.append(prefix).append("\t... ").append(common).append(" more\n");
    }
    for (Throwable s : t.getSuppressed()) {
      print(s, sealer, out, trace, "Suppressed: ", prefix + "\t", seen);
    }
    Throwable cause = t.getCause();
    if (cause != null) {
      print(cause, sealer, out, trace, "Caused by: ", prefix, seen);
    }
  }
}

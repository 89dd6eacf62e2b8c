package io.sparkseal.log4j;

import io.sparkseal.TokenSealer;

/**
 * Which parts of a JVM log message stay readable: an allow-list. A message of sparkseal's own
 * loggers is readable (it never carries data); a message that matches one of its logger's
 * operational shapes ({@link OperationalMessages}) keeps its template and typed slots, with
 * the slots that may carry text sealed; every other message -- Spark's plan logs, pushdown
 * logs and generated code, Parquet, Hadoop, Jetty, py4j, a user's library -- is sealed whole.
 * Logger name, level and time come from the layout and stay readable.
 */
public final class MessageSealer {
  private MessageSealer() {}

  static boolean ownLogger(String logger) {
    return logger != null && logger.startsWith("io.sparkseal.");
  }

  /** {@code message} as it may be printed. */
  public static String seal(String logger, String message, TokenSealer sealer) {
    if (message == null || message.isEmpty() || ownLogger(logger)) {
      return message;
    }
    StringBuilder out = new StringBuilder(message.length());
    sealTo(logger, message, sealer, out);
    return out.toString();
  }

  /**
   * Appends {@code message} as it may be printed to {@code out}: what {@link #seal} returns.
   * Why: the layout appends straight into its buffer, without a copy per event. On an
   * exception, {@code out} may hold part of the message: the caller cuts it back.
   */
  static void sealTo(String logger, String message, TokenSealer sealer, StringBuilder out) {
    if (message == null) {
      out.append((String) null);
      return;
    }
    if (message.isEmpty() || ownLogger(logger)) {
      out.append(message);
      return;
    }
    for (OperationalMessages.Shape shape : OperationalMessages.forLogger(logger == null ? "" : logger)) {
      if (!shape.mayMatch(message)) {
        continue;
      }
      int[] spans = shape.match(message, false);
      if (spans != null) {
        if (shape.keepsEverySlot) {
          out.append(message); // what fill() appends, piece by piece, when no slot is sealed
        } else {
          fill(message, spans, shape, sealer, out);
        }
        return;
      }
    }
    out.append(sealer.sealText(message));
  }

  private static void fill(String message, int[] spans, OperationalMessages.Shape shape,
      TokenSealer sealer, StringBuilder out) {
    int pos = 0;
    for (int i = 0; i < shape.slots.size(); i++) {
      int start = spans[2 * i];
      int end = spans[2 * i + 1];
      out.append(message, pos, start);
      switch (shape.slots.get(i)) {
        case "sealed":
          out.append(sealer.sealText(message.substring(start, end)));
          break;
        case "reason":
          out.append(reason(message.substring(start, end), sealer));
          break;
        default:
          out.append(message, start, end);
      }
      pos = end;
    }
    out.append(message, pos, message.length());
  }

  /**
   * A task's failure reason in a scheduler line. Reasons built from a task's throwable are
   * sealed where Spark builds them (the agent) and kept; a kill reason carries what user code
   * passed to a cancel call and is sealed here.
   */
  static String reason(String value, TokenSealer sealer) {
    String killed = "TaskKilled (";
    if (value.startsWith(killed) && value.endsWith(")")) {
      String inner = value.substring(killed.length(), value.length() - 1);
      return killed + sealer.sealText(inner) + ")";
    }
    return value;
  }
}

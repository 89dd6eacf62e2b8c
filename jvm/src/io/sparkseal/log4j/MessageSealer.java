package io.sparkseal.log4j;

import io.sparkseal.TokenSealer;
import java.util.regex.Matcher;

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
    for (OperationalMessages.Shape shape : OperationalMessages.forLogger(logger == null ? "" : logger)) {
      Matcher m = shape.pattern.matcher(message);
      if (m.matches()) {
        return fill(message, m, shape, sealer);
      }
    }
    return sealer.sealText(message);
  }

  private static String fill(String message, Matcher m, OperationalMessages.Shape shape,
      TokenSealer sealer) {
    StringBuilder out = new StringBuilder(message.length());
    int pos = 0;
    for (int i = 0; i < shape.slots.size(); i++) {
      int g = i + 1;
      out.append(message, pos, m.start(g));
      String value = m.group(g);
      switch (shape.slots.get(i)) {
        case "sealed":
          out.append(sealer.sealText(value));
          break;
        case "reason":
          out.append(reason(value, sealer));
          break;
        default:
          out.append(value);
      }
      pos = m.end(g);
    }
    out.append(message, pos, message.length());
    return out.toString();
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

package io.sparkseal;

import java.util.Map;

/**
 * Log messages that echo data by other paths than throwables. Failures reach the logs as
 * throwables, which are sealed at the source, so failure echoes need no rule; these loggers
 * print query literals (pushed-down filters, generated code) in their own messages. The text
 * after the message's first {@code ": "} is sealed; all other messages pass unchanged.
 *
 * <p>Found by running jobs that filter on literals and scanning every log (tests/e2e).
 */
public final class MessageRules {
  private static final Map<String, String> SEAL_AFTER = Map.of(
      // Parquet, on executors: "Filtering using predicate: and(noteq(email, null), eq(email, ...))"
      "org.apache.parquet.filter2.compat.FilterCompat", ": ",
      // Spark, on the driver: "Pushed Filters: ...", "Post-Scan Filters: ..."
      "org.apache.spark.sql.execution.datasources.FileSourceStrategy", ": ",
      "org.apache.spark.sql.execution.datasources.v2.V2ScanRelationPushDown", ": ",
      "org.apache.spark.sql.execution.datasources.DataSourceStrategy", ": ",
      "org.apache.spark.sql.execution.datasources.PruneFileSourcePartitions", ": ",
      // Generated code (DEBUG) holds literal constants.
      "org.apache.spark.sql.catalyst.expressions.codegen.CodeGenerator", "\n");

  private MessageRules() {}

  /** True if messages of this logger need {@link #seal}; false is the fast path. */
  public static boolean applies(String logger) {
    return logger != null && SEAL_AFTER.containsKey(logger);
  }

  public static String seal(String logger, String message, TokenSealer sealer) {
    String marker = logger == null ? null : SEAL_AFTER.get(logger);
    if (marker == null || message == null) {
      return message;
    }
    int at = message.indexOf(marker);
    if (at < 0) {
      return message;
    }
    int cut = at + marker.length();
    return message.substring(0, cut) + sealer.sealText(message.substring(cut));
  }
}

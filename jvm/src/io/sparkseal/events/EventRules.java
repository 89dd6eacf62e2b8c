package io.sparkseal.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which fields of Spark 4.3's listener events stay readable (the allow-list), as the JSON
 * {@code JsonProtocol} writes them. Top-level fields follow a per-type rule; an event type
 * not listed has every field sealed. Spark versions are gated ({@code rules.json}
 * {@code supported_spark}), so this schema is the one in force.
 */
final class EventRules {
  private EventRules() {}

  enum Rule {
    KEEP, SEAL, CONDITION, PROPERTIES, STAGE_INFO, TASK_END_REASON, JOB_RESULT, PLAN_INFO,
    PLAN_TEXT, STREAMING_PROGRESS
  }

  static final class Schema {
    final Rule otherwise;
    final Map<String, Rule> fields;
    final boolean plan;

    Schema(Rule otherwise, Map<String, Rule> fields) {
      this.otherwise = otherwise;
      this.fields = fields;
      this.plan = fields.containsValue(Rule.PLAN_TEXT);
    }

    Rule rule(String field) {
      return fields.getOrDefault(field, otherwise);
    }
  }

  private static final Schema SEAL_ALL = new Schema(Rule.SEAL, Map.of());
  private static final Schema KEEP_ALL = new Schema(Rule.KEEP, Map.of());
  private static final Map<String, Schema> SCHEMAS = new HashMap<>();

  private static void keep(String... types) {
    for (String t : types) {
      SCHEMAS.put(t, KEEP_ALL);
    }
  }

  private static void rules(String type, Rule otherwise, Object... fieldRules) {
    Map<String, Rule> fields = new HashMap<>();
    for (int i = 0; i < fieldRules.length; i += 2) {
      fields.put((String) fieldRules[i], (Rule) fieldRules[i + 1]);
    }
    SCHEMAS.put(type, new Schema(otherwise, fields));
  }

  static {
    // Spark's bookkeeping: ids, hosts, numbers, resource profiles, executor and block events,
    // the environment (its secrets redacted by spark.redaction.regex). User accumulator values
    // inside any kept event are sealed wherever they appear.
    keep("SparkListenerLogStart", "SparkListenerApplicationStart", "SparkListenerApplicationEnd",
        "SparkListenerEnvironmentUpdate", "SparkListenerBlockManagerAdded",
        "SparkListenerBlockManagerRemoved", "SparkListenerExecutorAdded",
        "SparkListenerExecutorRemoved", "SparkListenerExecutorBlacklisted",
        "SparkListenerExecutorExcluded", "SparkListenerExecutorBlacklistedForStage",
        "SparkListenerExecutorExcludedForStage", "SparkListenerNodeBlacklistedForStage",
        "SparkListenerNodeExcludedForStage", "SparkListenerExecutorUnblacklisted",
        "SparkListenerExecutorUnexcluded", "SparkListenerNodeBlacklisted",
        "SparkListenerNodeExcluded", "SparkListenerNodeUnblacklisted",
        "SparkListenerNodeUnexcluded", "SparkListenerBlockUpdated",
        "SparkListenerExecutorMetricsUpdate", "SparkListenerStageExecutorMetrics",
        "SparkListenerResourceProfileAdded", "SparkListenerUnpersistRDD",
        "SparkListenerTaskStart", "SparkListenerTaskGettingResult",
        "SparkListenerSpeculativeTaskSubmitted", "SparkListenerUnschedulableTaskSetAdded",
        "SparkListenerUnschedulableTaskSetRemoved", "SparkListenerMiscellaneousProcessAdded",
        "SparkListenerDriverAccumUpdates", "SparkListenerSQLAdaptiveSQLMetricUpdates",
        "QueryIdleEvent");
    rules("SparkListenerJobStart", Rule.KEEP, "Stage Infos", Rule.STAGE_INFO,
        "Properties", Rule.PROPERTIES);
    rules("SparkListenerStageSubmitted", Rule.KEEP, "Stage Info", Rule.STAGE_INFO,
        "Properties", Rule.PROPERTIES);
    rules("SparkListenerStageCompleted", Rule.KEEP, "Stage Info", Rule.STAGE_INFO);
    rules("SparkListenerTaskEnd", Rule.KEEP, "Task End Reason", Rule.TASK_END_REASON);
    rules("SparkListenerJobEnd", Rule.KEEP, "Job Result", Rule.JOB_RESULT);
    rules("SparkListenerSQLExecutionStart", Rule.SEAL, "executionId", Rule.KEEP,
        "rootExecutionId", Rule.KEEP, "queryId", Rule.KEEP, "time", Rule.KEEP,
        "sparkPlanInfo", Rule.PLAN_INFO,
        "physicalPlanDescription", Rule.PLAN_TEXT, "modifiedConfigs", Rule.PROPERTIES);
    rules("SparkListenerSQLAdaptiveExecutionUpdate", Rule.SEAL, "executionId", Rule.KEEP,
        "sparkPlanInfo", Rule.PLAN_INFO, "physicalPlanDescription", Rule.PLAN_TEXT);
    rules("SparkListenerSQLExecutionEnd", Rule.KEEP, "errorMessage", Rule.CONDITION);
    rules("QueryStartedEvent", Rule.KEEP, "name", Rule.SEAL, "jobTags", Rule.SEAL);
    rules("QueryProgressEvent", Rule.KEEP, "progress", Rule.STREAMING_PROGRESS);
    rules("QueryTerminatedEvent", Rule.KEEP, "exception", Rule.SEAL);
  }

  static Schema schema(String type) {
    return SCHEMAS.getOrDefault(type, SEAL_ALL);
  }

  /** "org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart" -> the class name. */
  static String shortType(String event) {
    String name = event.substring(event.lastIndexOf('.') + 1);
    return name.substring(name.lastIndexOf('$') + 1);
  }

  /** Stage info fields user code fills: call sites and failure reasons built on the driver. */
  static final String[] STAGE_SEALED = {"Stage Name", "Details", "Failure Reason"};
  /** RDD names (user names, or plans of cached DataFrames) and their call sites. */
  static final String[] RDD_SEALED = {"Name", "Callsite"};
  /** Texts of failure reasons that do not come from a task's throwable. */
  static final String[] REASON_SEALED = {"Kill Reason", "Message"};
  /** Streaming progress: the query's name and the event times read from the data. */
  static final String[] PROGRESS_SEALED = {"name", "eventTime"};
  /** Streaming sources and sinks: descriptions (paths, topics) and offsets. */
  static final String[] SOURCE_SEALED = {"description", "startOffset", "endOffset",
      "latestOffset"};
  /** Scan metadata that only names a format. */
  static final Set<String> READABLE_METADATA = Set.of("Format", "Batched");

  /** Properties whose values are Spark's own ids and flags. */
  static final Set<String> READABLE_PROPERTY_VALUES = Set.of("spark.rdd.scope",
      "spark.rdd.scope.noOverride", "spark.job.interruptOnCancel", "spark.sql.execution.id",
      "spark.sql.execution.root.id", "sql.streaming.queryId", "streaming.sql.batchId",
      "__fetch_continuous_blocks_in_batch_enabled");

  /** Spark's own property keys stay readable; a key user code invented is sealed too. */
  static boolean readablePropertyKey(String key) {
    return key.startsWith("spark.") || key.startsWith("callSite.") || key.startsWith("sql.")
        || key.startsWith("streaming.") || READABLE_PROPERTY_VALUES.contains(key);
  }

  static boolean internalAccumulable(JsonNode acc) {
    return acc.path("Internal").asBoolean(false)
        || acc.path("Name").asText("").startsWith("internal.")
        || "sql".equals(acc.path("Metadata").asText(""));
  }
}

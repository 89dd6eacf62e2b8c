package io.sparkseal.log4j;

import io.sparkseal.Rules;
import io.sparkseal.TokenSealer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Which fields of a log event's context (log4j2's MDC, where Spark 4's structured logging puts
 * the values of its {@code log"..."} messages) stay readable: an allow-list of Spark's log keys,
 * each with the shape its value must have -- ids, numbers, hosts, Spark's task names. A value
 * of a listed key that does not have its key's shape, and the value of every other key (an
 * error text, a path, a query, a plan, a user's own MDC), is sealed. Field-name-shaped keys
 * stay readable; any other key is sealed with its value (see {@link #sealAll}).
 */
public final class ContextSealer {
  private ContextSealer() {}

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:+-]{0,127}");
  private static final Pattern NUMBER = Pattern.compile("-?\\d{1,19}(?:\\.\\d{1,19})?");
  private static final Pattern SIZE =
      Pattern.compile("\\d{1,19}(?:\\.\\d{1,3})? (?:B|KiB|MiB|GiB|TiB|PiB|EiB|KB|MB|GB|TB|PB)");
  private static final Pattern DURATION =
      Pattern.compile("\\d{1,19}(?:\\.\\d{1,9})?(?: ?(?:ns|us|ms|s|m|min|h))?");
  private static final Pattern HOST_PORT =
      Pattern.compile("/?[A-Za-z0-9][A-Za-z0-9.-]{0,252}(?::\\d{1,5})?");
  private static final Pattern SPARK_URL =
      Pattern.compile("(?:NettyRpcEndpointRef\\()?spark://[A-Za-z]{1,64}@[A-Za-z0-9.-]{1,253}:\\d{1,5}\\)?");
  private static final Pattern TASK_NAME = Pattern.compile(
      "task \\d{1,10}(?:\\.\\d{1,10})? in stage \\d{1,10}(?:\\.\\d{1,10})? \\(TID \\d{1,19}\\)");
  private static final Pattern CLASS = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$.]{0,255}");
  private static final Pattern CONF_KEY = Pattern.compile("spark\\.[A-Za-z0-9_.-]{1,200}");
  private static final Pattern BYTES = Pattern.compile(SIZE.pattern() + "|\\d{1,19}");
  private static final Pattern SWITCH = Pattern.compile("enabled|disabled|true|false");

  private static final Map<String, Pattern> READABLE = new TreeMap<>();

  private static void allow(Pattern shape, String... keys) {
    for (String k : keys) {
      READABLE.put(k, shape);
    }
  }

  static {
    allow(ID, "app_id", "app_attempt_id", "executor_id", "worker_id", "driver_id",
        "block_id", "broadcast_id", "query_id", "query_run_id", "run_id", "batch_id",
        "state_store_id", "resource_profile_id", "execution_id", "stream_id", "rdd_id",
        "shuffle_id", "shuffle_merge_id", "map_id", "reduce_id", "session_id", "spark_version",
        "java_version", "os_name", "os_arch", "os_version");
    allow(NUMBER, "job_id", "stage_id", "stage_attempt", "stage_attempt_id", "task_id",
        "task_attempt_id", "partition_id", "exit_code", "attempt_num", "task_index", "count",
        "max_attempts", "max_executor_failures", "epoch", "priority", "num_retry");
    allow(SIZE, "size", "memory_size");
    allow(DURATION, "duration", "time", "total_time", "elapsed_time", "bootstrap_time");
    allow(HOST_PORT, "host", "host_port", "executor_host", "driver_host", "port",
        "rpc_address");
    allow(SPARK_URL, "url", "worker_url", "driver_url", "rpc_endpoint_ref", "master_url");
    allow(TASK_NAME, "task_name");
    allow(CLASS, "class_name");
    allow(CONF_KEY, "config", "config2", "key");
    allow(SWITCH, "auth_enabled", "rpc_ssl_enabled", "ui_acls",
        "executor_user_class_path_first");
  }

  /** The shape a key's value must have to stay readable; null: always sealed. */
  static Pattern shapeOf(String key) {
    Pattern shape = READABLE.get(key);
    if (shape != null) {
      return shape;
    }
    // Spark's families of log keys: counts (num_*), sizes (*_size) and times (*_time, *_ms).
    if (key.startsWith("num_")) {
      return key.equals("num_bytes") ? BYTES : NUMBER;
    }
    if (key.endsWith("_size")) {
      return SIZE;
    }
    if (key.endsWith("_time") || key.endsWith("_ms") || key.endsWith("_duration")) {
      return DURATION;
    }
    return null;
  }

  /** The keys kept readable besides the num_*, *_size and *_time families (for the docs). */
  public static java.util.SortedSet<String> readableKeys() {
    return new java.util.TreeSet<>(READABLE.keySet());
  }

  /** {@code value} as it may be written under {@code key}. */
  public static String seal(String key, String value, TokenSealer sealer) {
    if (value == null || value.isEmpty()) {
      return value;
    }
    Pattern shape = key == null ? null : shapeOf(key);
    if (shape != null && shape.matcher(value).matches()) {
      return value;
    }
    return sealer.sealText(value);
  }

  /** Where the entries whose key is no field name are written, sealed together. */
  public static final String SEALED_FIELDS = "sealed_fields";

  /**
   * Every entry of {@code context}, in order, with values sealed as {@link #seal} says. A key
   * that is not field-name-shaped ({@code Rules.LOG_FIELD_NAME}: a user's MDC key holding an
   * email, text with spaces) is never written as a key: such entries are sealed together, keys
   * and values, under {@link #SEALED_FIELDS}.
   */
  public static Map<String, String> sealAll(Map<String, String> context, TokenSealer sealer) {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, String> hidden = new TreeMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(context).entrySet()) {
      String key = e.getKey();
      if (key.equals(SEALED_FIELDS) || !Rules.LOG_FIELD_NAME.matcher(key).matches()) {
        hidden.put(key, e.getValue());
      } else {
        out.put(key, seal(key, e.getValue(), sealer));
      }
    }
    if (!hidden.isEmpty()) {
      out.put(SEALED_FIELDS, sealer.sealText(hidden.toString()));
    }
    return out;
  }
}

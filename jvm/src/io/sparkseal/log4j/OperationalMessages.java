package io.sparkseal.log4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The allow-list of log messages that stay readable: Spark's operational messages, by logger
 * and shape. A shape is the message's template with typed slots; a slot's type says what it
 * may hold, so data cannot pass for it: {@code {n}} numbers and dotted ids, {@code {size}}
 * sizes, {@code {host}} / {@code {hostport}} hosts, {@code {id}} Spark's ids and names of
 * blocks and states, {@code {class}} Java class names. Two slots hold text that may carry data
 * and are sealed: {@code {sealed}} (call sites, names) and {@code {reason}} (a task's failure
 * reason: already sealed at its source by the agent, except a kill reason, sealed here). A
 * message that matches no shape of its logger is sealed whole. The list was made from the
 * INFO logs of normal jobs and the failure lines of the leak suite (docs/jvm.md).
 */
public final class OperationalMessages {
  private OperationalMessages() {}

  static final class Shape {
    final Pattern pattern;
    final List<String> slots;
    /**
     * The template's text before its first slot. Why: a message that starts neither with it
     * nor with the streaming prefix cannot match, so it is skipped without running the regex
     * (the same answer, found cheaper: most of a logger's shapes differ in their first words).
     */
    final String literalPrefix;
    /** The regex's answer without the regex, where that is exact ({@link ShapeScanner}). */
    final ShapeScanner scanner;
    final String template;
    /**
     * No slot is sealed ({@code {sealed}}, {@code {reason}}): a matching message is printed
     * as it is. Why: one copy of the message instead of one per template part and slot.
     */
    final boolean keepsEverySlot;

    Shape(Pattern pattern, List<String> slots, String literalPrefix, ShapeScanner scanner,
        String template) {
      this.template = template;
      this.keepsEverySlot = !slots.contains("sealed") && !slots.contains("reason");
      this.pattern = pattern;
      this.slots = slots;
      this.literalPrefix = literalPrefix;
      this.scanner = scanner;
    }

    /** False only if {@code message} cannot match {@link #pattern}. */
    boolean mayMatch(String message) {
      return message.startsWith(literalPrefix) || message.startsWith(STREAM_START);
    }

    /**
     * Start and end of each slot if {@code message} matches {@link #pattern}, else null: by
     * the scanner where it is exact, by the regex otherwise or with {@code regexOnly}.
     */
    int[] match(String message, boolean regexOnly) {
      if (!regexOnly && scanner != null && !message.startsWith(STREAM_START)) {
        return scanner.match(message);
      }
      Matcher m = pattern.matcher(message);
      if (!m.matches()) {
        return null;
      }
      int[] spans = new int[2 * slots.size()];
      for (int i = 0; i < slots.size(); i++) {
        spans[2 * i] = m.start(i + 1);
        spans[2 * i + 1] = m.end(i + 1);
      }
      return spans;
    }
  }

  /**
   * Which shape of {@code logger} a message matches and its slots' spans, as the layout finds
   * them, or (with {@code regexOnly}) by each shape's regex alone: "none", or "INDEX
   * START-END ...". Why public: the differential test of {@link ShapeScanner} calls it.
   */
  public static String describeMatch(String logger, String message, boolean regexOnly) {
    List<Shape> shapes = forLogger(logger);
    for (int i = 0; i < shapes.size(); i++) {
      Shape shape = shapes.get(i);
      int[] spans = regexOnly ? shape.match(message, true)
          : shape.mayMatch(message) ? shape.match(message, false) : null;
      if (spans != null) {
        StringBuilder out = new StringBuilder().append(i);
        for (int j = 0; j < spans.length; j += 2) {
          out.append(' ').append(spans[j]).append('-').append(spans[j + 1]);
        }
        return out.toString();
      }
    }
    return "none";
  }

  /** The templates of {@code logger}'s shapes, in order (for the differential test). */
  public static List<String> templates(String logger) {
    List<String> out = new ArrayList<>();
    for (Shape shape : forLogger(logger)) {
      out.add(shape.template);
    }
    return out;
  }

  /** Whether each shape of {@code logger} has a scanner ("1") or keeps its regex ("0"). */
  public static String scanned(String logger) {
    StringBuilder out = new StringBuilder();
    for (Shape shape : forLogger(logger)) {
      out.append(shape.scanner == null ? '0' : '1');
    }
    return out.toString();
  }

  private static final Map<String, String> SLOT_REGEX = Map.of(
      "n", "-?\\d+(?:\\.\\d+)*",
      "size", "\\d+(?:\\.\\d+)? (?:B|KiB|MiB|GiB|TiB|KB|MB|GB)",
      "host", "[A-Za-z0-9][A-Za-z0-9.-]*",
      "hostport", "/?[A-Za-z0-9][A-Za-z0-9.-]*:\\d+",
      "id", "[A-Za-z0-9][A-Za-z0-9_.+-]*",
      "class", "[A-Za-z_$][A-Za-z0-9_$.]*",
      "users", "[A-Za-z0-9_.@, -]*",
      "sealed", ".*?",
      "reason", ".*");
  /** Streaming tasks log with this prefix; its parts are Spark's ids. */
  private static final String STREAM_PREFIX =
      "(?:\\[queryId = [0-9a-f]+\\] \\[batchId = \\d+\\] )?";
  /** What every message with the streaming prefix starts with. */
  static final String STREAM_START = "[queryId = ";
  private static final Map<String, List<Shape>> SHAPES = new HashMap<>();

  private static void add(String logger, String... templates) {
    List<Shape> shapes = SHAPES.computeIfAbsent(logger, k -> new ArrayList<>());
    for (String t : templates) {
      shapes.add(compile(t));
    }
  }

  static Shape compile(String template) {
    StringBuilder regex = new StringBuilder(STREAM_PREFIX);
    List<String> slots = new ArrayList<>();
    Matcher m = Pattern.compile("\\{(\\w+)\\}").matcher(template);
    int pos = 0;
    String literalPrefix = null;
    List<String> literals = new ArrayList<>();
    while (m.find()) {
      if (literalPrefix == null) {
        literalPrefix = template.substring(0, m.start());
      }
      literals.add(template.substring(pos, m.start()));
      regex.append(Pattern.quote(template.substring(pos, m.start())));
      String slot = m.group(1);
      String slotRegex = SLOT_REGEX.get(slot);
      if (slotRegex == null) {
        throw new IllegalArgumentException("unknown slot " + slot);
      }
      regex.append('(').append(slotRegex).append(')');
      slots.add(slot);
      pos = m.end();
    }
    regex.append(Pattern.quote(template.substring(pos)));
    literals.add(template.substring(pos));
    return new Shape(Pattern.compile(regex.toString(), Pattern.DOTALL), slots,
        literalPrefix == null ? template : literalPrefix,
        ShapeScanner.forTemplate(literals, slots), template);
  }

  /** The loggers with shapes on the list (for the docs' table and its test). */
  public static java.util.SortedSet<String> loggers() {
    return new java.util.TreeSet<>(SHAPES.keySet());
  }

  static List<Shape> forLogger(String logger) {
    List<Shape> shapes = BY_FULL_NAME.get(logger);
    if (shapes != null) {
      return shapes;
    }
    String simple = logger.substring(logger.lastIndexOf('.') + 1);
    shapes = SHAPES.getOrDefault(simple, List.of());
    if (BY_FULL_NAME.size() < MAX_CACHED_LOGGERS) {
      BY_FULL_NAME.put(logger, shapes);
    }
    return shapes;
  }

  /**
   * {@link #forLogger} by the logger's full name. Why: a String caches its hash, so a lookup
   * by the event's own logger name costs no substring and no hashing per event. Bounded: a
   * program that makes loggers without end falls back to the lookup by simple name.
   */
  private static final Map<String, List<Shape>> BY_FULL_NAME =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MAX_CACHED_LOGGERS = 4096;

  static {
    // executors: start-up, tasks, blocks, shuffle, Python runners
    add("CoarseGrainedExecutorBackend", "Got assigned task {n}",
        "Started daemon with process name: {n}@{host}", "Connecting to driver: {sealed}",
        "Successfully registered with driver", "Driver commanded a shutdown",
        "Driver from {hostport} disconnected during shutdown",
        "Executor self-exiting due to : {sealed}", "RECEIVED SIGNAL {id}");
    add("Executor", "Running task {n} in stage {n} (TID {n})",
        "Finished task {n} in stage {n} (TID {n}). {n} bytes result sent to driver",
        "Finished task {n} in stage {n} (TID {n}). {n} bytes result sent via BlockManager)",
        "Exception in task {n} in stage {n} (TID {n})",
        "Starting executor ID {id} on host {host}", "Running Spark version {id}",
        "OS info {sealed}", "Java version {id}",
        "Starting executor with user classpath (userClassPathFirst = {id}): ''",
        "Executor is trying to kill task {n} in stage {n} (TID {n}), interruptThread: {id},"
            + " reason: {sealed}",
        "Executor killed task {n} in stage {n} (TID {n}), reason: {sealed}",
        "Told to re-register on heartbeat",
        "{n} block locks were not released by task {n} in stage {n} (TID {n})\n{sealed}",
        "Created or updated repl class loader {class}@{id} for default.");
    add("CodeGenerator", "Code generated in {n} ms");
    add("ExecutorPluginContainer", "Initialized executor component for plugin {class}.");
    add("SQLHadoopMapReduceCommitProtocol", "Using output committer class {class}",
        "Using user defined output committer class {class}");
    add("PathOutputCommitterFactory",
        "No output committer factory defined, defaulting to FileOutputCommitterFactory");
    add("CodecPool", "Got brand-new compressor [.{id}]", "Got brand-new decompressor [.{id}]");
    add("DefaultAllocationManagerOption",
        "allocation manager type not specified, using netty as the default type");
    add("BaseAllocator", "Debug mode disabled. Enable with the VM option"
        + " -Darrow.memory.debug.allocator=true.");
    add("CheckAllocator", "Using DefaultAllocationManager at {sealed}");
    add("FileScanRDD", "Reading File path: {sealed}, range: {n}-{n}, partition values: {sealed}");
    add("ParquetOutputFormat", "ParquetRecordWriter [block size: {n}b, row group padding size:"
        + " {n}b, validating: {id}]");
    add("TorrentBroadcast",
        "Started reading broadcast variable {n} with {n} pieces (estimated total size {size})",
        "Reading broadcast variable {n} took {n} ms");
    add("MemoryStore",
        "Block {id} stored as bytes in memory (estimated size {size}, free {size})",
        "Block {id} stored as values in memory (estimated size {size}, free {size})",
        "MemoryStore started with capacity {size}", "MemoryStore cleared");
    // user and group names of the ACLs (spark.*.acls, the OS user): identities, not data
    add("SecurityManager", "Changing view acls to: {users}", "Changing modify acls to: {users}",
        "Changing view acls groups to: {users}", "Changing modify acls groups to: {users}",
        "SecurityManager: authentication {id}; ui acls {id}; users with view permissions: "
            + "{users} groups with view permissions: {users}; users with modify permissions: "
            + "{users}; groups with modify permissions: {users}; RPC SSL {id}");
    add("TransportClientFactory",
        "Successfully created connection to {hostport} after {n} ms ({n} ms spent in bootstraps)");
    for (String runner : new String[] {"PythonRunner", "ArrowPythonRunner",
        "ArrowEvalPythonEvaluatorFactory$$anon$2", "PythonUDFRunner"}) {
      add(runner, "Starting Python task execution - task {n} in stage {n} (TID {n})",
          "Python daemon module in PySpark is set to [{class}] in 'spark.python.daemon.module',"
              + " using this to start the daemon up. Note that this configuration only has an"
              + " effect when 'spark.python.use.daemon' is enabled and the platform is not"
              + " Windows.",
          "Python worker module in PySpark is set to {class} in spark.python.worker.module,"
              + " using this to start the worker up. Note that this configuration only has an"
              + " effect when spark.python.use.daemon is disabled or the platform is Windows.",
          "Times: total = {n}, boot = {n}, init = {n}, finish = {n} - Batches: {n}, Data: {n}"
              + " KB - task {n} in stage {n} (TID {n})");
    }
    add("MapOutputTrackerWorker", "Updating epoch to {n} and clearing cache",
        "Don't have map outputs for shuffle {n}, fetching them",
        "Doing the fetch; tracker endpoint = NettyRpcEndpointRef(spark://MapOutputTracker@"
            + "{hostport})", "Got the map output locations");
    add("ShuffleBlockFetcherIterator", "Started {n} remote fetches in {n} ms",
        "Getting {n} ({size}) non-empty blocks including {n} ({size}) local and {n} ({size})"
            + " host-local and {n} ({size}) push-merged-local and {n} ({size}) remote blocks");
    add("FileOutputCommitter", "File Output Committer Algorithm version is {n}",
        "Saved output of task '{id}' to {sealed}",
        "FileOutputCommitter skip cleanup _temporary folders under output directory:{id},"
            + " ignore cleanup failures: {id}");
    add("CodecConfig", "Compression: {id}");
    add("BlockManager", "Found block {id} locally",
        "Using {class} for block replication policy",
        "Initialized BlockManager: BlockManagerId({n}, {host}, {n}, None)",
        "Initialized BlockManager: BlockManagerId({id}, {host}, {n}, None)", "BlockManager stopped");
    add("BlockManagerMaster", "Registering BlockManager BlockManagerId({id}, {host}, {n}, None)",
        "Registered BlockManager BlockManagerId({id}, {host}, {n}, None)",
        "BlockManagerMaster stopped");
    add("SparkHadoopMapRedUtil", "{id}: Committed. Elapsed time: {n} ms.");
    add("Utils", "Your hostname, {host}, resolves to a loopback address: {host}; using {host}"
            + " instead (on interface {id})", "Set SPARK_LOCAL_IP if you need to bind to another"
            + " address", "Successfully started service '{class}' on port {n}.");
    add("SignalUtils", "Registering signal handler for {id}");
    add("NativeCodeLoader", "Unable to load native-hadoop library for your platform... using"
        + " builtin-java classes where applicable");
    add("DiskBlockManager", "Created local directory at {sealed}");
    add("WorkerWatcher", "Connecting to worker spark://Worker@{hostport}",
        "Successfully connected to spark://Worker@{hostport}");
    add("ResourceUtils", "==============================================================",
        "No custom resources configured for spark.{id}.");
    add("NettyBlockTransferService", "Server created on {hostport}");
    add("StreamingShuffleManager", "Using StreamingShuffleManager");
    add("ShutdownHookManager", "Shutdown hook called", "Deleting directory {sealed}");
    // drivers: the scheduler's failure lines (their reasons are sealed at the source)
    add("TaskSetManager",
        "Lost task {n} in stage {n} (TID {n}) ({host} executor {id}): {reason}",
        "Task {n} in stage {n} failed {n} times; aborting job",
        "Starting task {n} in stage {n} (TID {n}) ({host},executor {id}, partition {n}, {id},"
            + " {n} bytes)",
        "Finished task {n} in stage {n} (TID {n}) in {n} ms on {host} (executor {id}) ({n}/{n})");
    add("TaskSchedulerImpl", "Lost executor {id} on {host}: {sealed}",
        "Adding task set {n} with {n} tasks resource profile {n}",
        "Cancelling stage {n}", "Killing all running tasks in stage {n}: {sealed}",
        "Stage {n} was cancelled");
    add("SparkConf", "Note that spark.local.dir will be overridden by the value set by the"
        + " cluster manager (via SPARK_LOCAL_DIRS in standalone/kubernetes and LOCAL_DIRS in"
        + " YARN).");
    add("MicroBatchExecution", "Query [id = {id}, runId = {id}] terminated with error");
    add("Master", "Got status update for unknown executor {id}");
  }
}

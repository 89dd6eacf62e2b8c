package io.sparkseal.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import org.apache.spark.Success$;
import org.apache.spark.TaskEndReason;
import org.apache.spark.TaskKilled;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.JobSucceeded$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorExcluded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;

/**
 * Aggregates the application's jobs, stages, tasks and executors into fixed counters and
 * histograms for sparkseal's Prometheus metrics (registered through {@code
 * spark.extraListeners} by {@code sparkseal.harden} when the policy has {@code [metrics]}).
 *
 * <p>Memory does not grow with the number of tasks: every task only adds to counters and
 * fixed-bucket histograms; the only map holds the start time of running jobs. The driver's
 * Python side reads {@link #snapshot}: JSON of numbers under fixed keys, so no free text -- a
 * job description, a stage name, an exception message -- can ever reach a metric.
 */
public class MetricsListener extends SparkListener {
  /** Counters, by fixed key (the Python side maps each to a metric name and labels). */
  enum Counter {
    JOBS_SUCCEEDED, JOBS_FAILED,
    STAGES_SUCCEEDED, STAGES_FAILED,
    TASKS_SUCCEEDED, TASKS_FAILED, TASKS_KILLED, TASKS_SPECULATIVE,
    INPUT_RECORDS, INPUT_BYTES, OUTPUT_RECORDS, OUTPUT_BYTES,
    SHUFFLE_READ_BYTES, SHUFFLE_WRITE_BYTES, SPILL_MEMORY_BYTES, SPILL_DISK_BYTES,
    EXECUTORS_ADDED, EXECUTORS_REMOVED, EXECUTORS_EXCLUDED, LISTENER_ERRORS
  }

  /** Jobs whose start was seen and whose end was not, at most (a bound, not a buffer). */
  static final int MAX_RUNNING_JOBS = 10_000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static volatile MetricsListener current;

  private final Map<Counter, AtomicLong> counters = new EnumMap<>(Counter.class);
  private final DoubleAdder gcSeconds = new DoubleAdder();
  private final Histogram jobSucceeded = new Histogram(Histogram.SECONDS);
  private final Histogram jobFailed = new Histogram(Histogram.SECONDS);
  private final Histogram taskDuration = new Histogram(Histogram.SECONDS);
  private final Map<Integer, Long> jobStarts = new ConcurrentHashMap<>();
  final StreamingMetrics streaming = new StreamingMetrics();

  public MetricsListener() {
    for (Counter c : Counter.values()) {
      counters.put(c, new AtomicLong());
    }
    current = this; // the newest SparkContext's listener is the one the driver reads
  }

  /** The listener of the newest SparkContext in this JVM, or null. */
  static MetricsListener current() {
    return current;
  }

  private void add(Counter c, long n) {
    if (n != 0) {
      counters.get(c).addAndGet(n);
    }
  }

  @Override
  public void onJobStart(SparkListenerJobStart event) {
    try {
      if (jobStarts.size() < MAX_RUNNING_JOBS) {
        jobStarts.put(event.jobId(), event.time());
      }
    } catch (Throwable t) {
      add(Counter.LISTENER_ERRORS, 1);
    }
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd event) {
    try {
      boolean ok = event.jobResult() == JobSucceeded$.MODULE$;
      add(ok ? Counter.JOBS_SUCCEEDED : Counter.JOBS_FAILED, 1);
      Long start = jobStarts.remove(event.jobId());
      if (start != null) {
        (ok ? jobSucceeded : jobFailed).observe((event.time() - start) / 1000.0);
      }
    } catch (Throwable t) {
      add(Counter.LISTENER_ERRORS, 1);
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted event) {
    try {
      boolean failed = event.stageInfo().failureReason().isDefined();
      add(failed ? Counter.STAGES_FAILED : Counter.STAGES_SUCCEEDED, 1);
    } catch (Throwable t) {
      add(Counter.LISTENER_ERRORS, 1);
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd event) {
    try {
      TaskEndReason reason = event.reason();
      if (reason == Success$.MODULE$) {
        add(Counter.TASKS_SUCCEEDED, 1);
      } else if (reason instanceof TaskKilled) {
        add(Counter.TASKS_KILLED, 1);
      } else {
        add(Counter.TASKS_FAILED, 1);
      }
      TaskInfo info = event.taskInfo();
      if (info != null) {
        if (info.speculative()) {
          add(Counter.TASKS_SPECULATIVE, 1);
        }
        if (info.finishTime() > 0) {
          taskDuration.observe(info.duration() / 1000.0);
        }
      }
      TaskMetrics m = event.taskMetrics();
      if (m != null) {
        add(Counter.INPUT_RECORDS, m.inputMetrics().recordsRead());
        add(Counter.INPUT_BYTES, m.inputMetrics().bytesRead());
        add(Counter.OUTPUT_RECORDS, m.outputMetrics().recordsWritten());
        add(Counter.OUTPUT_BYTES, m.outputMetrics().bytesWritten());
        add(Counter.SHUFFLE_READ_BYTES, m.shuffleReadMetrics().totalBytesRead());
        add(Counter.SHUFFLE_WRITE_BYTES, m.shuffleWriteMetrics().bytesWritten());
        add(Counter.SPILL_MEMORY_BYTES, m.memoryBytesSpilled());
        add(Counter.SPILL_DISK_BYTES, m.diskBytesSpilled());
        gcSeconds.add(m.jvmGCTime() / 1000.0);
      }
    } catch (Throwable t) {
      add(Counter.LISTENER_ERRORS, 1);
    }
  }

  @Override
  public void onExecutorAdded(SparkListenerExecutorAdded event) {
    add(Counter.EXECUTORS_ADDED, 1);
  }

  @Override
  public void onExecutorRemoved(SparkListenerExecutorRemoved event) {
    add(Counter.EXECUTORS_REMOVED, 1);
  }

  @Override
  public void onExecutorExcluded(SparkListenerExecutorExcluded event) {
    add(Counter.EXECUTORS_EXCLUDED, 1);
  }

  /** This listener's numbers as JSON: fixed keys, numbers only. */
  String toJson() throws Exception {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode c = root.putObject("counters");
    for (Map.Entry<Counter, AtomicLong> e : counters.entrySet()) {
      c.put(e.getKey().name().toLowerCase(java.util.Locale.ROOT), e.getValue().get());
    }
    c.put("gc_seconds", gcSeconds.sum());
    ObjectNode h = root.putObject("histograms");
    jobSucceeded.write(h.putObject("job_duration_succeeded"));
    jobFailed.write(h.putObject("job_duration_failed"));
    taskDuration.write(h.putObject("task_duration"));
    streaming.write(root);
    return JSON.writeValueAsString(root);
  }

  /**
   * The newest SparkContext's metrics as JSON, {@code "{}"} when no listener is registered.
   * Called by the driver's Python side through py4j; never throws.
   */
  public static String snapshot() {
    MetricsListener l = current;
    if (l == null) {
      return "{}";
    }
    try {
      return l.toJson();
    } catch (Throwable t) {
      return "{}";
    }
  }
}

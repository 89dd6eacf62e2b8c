package io.sparkseal.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkseal.Sealers;
import io.sparkseal.ThrowableSealer;
import io.sparkseal.TokenSealer;
import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.util.QueryExecutionListener;

/**
 * Records every SQL query's inputs, outputs, rows written and column lineage for the audit
 * trail and OpenLineage (registered in {@code spark.sql.queryExecutionListeners} by
 * {@code sparkseal.harden} when the policy has {@code [audit]} or {@code [lineage]}). The
 * driver's Python side drains the records ({@link #drain}) and appends them to the store; a
 * record that could not be kept (queue full, a failure in this listener) is counted, and the
 * count is recorded as a gap, so the trail never silently misses a query.
 */
public final class AuditListener implements QueryExecutionListener {
  /** Records held at most between two drains; past it a record is counted as dropped. */
  static final int CAPACITY = 100_000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ConcurrentLinkedQueue<String> QUEUE = new ConcurrentLinkedQueue<>();
  private static final AtomicLong HELD = new AtomicLong();
  private static final AtomicLong DROPPED = new AtomicLong();

  @Override
  public void onSuccess(String funcName, QueryExecution qe, long durationNs) {
    keep(funcName, qe, durationNs, null);
  }

  @Override
  public void onFailure(String funcName, QueryExecution qe, Exception exception) {
    keep(funcName, qe, -1, exception);
  }

  private static void keep(String funcName, QueryExecution qe, long durationNs, Exception error) {
    try {
      TokenSealer sealer = Sealers.get();
      ObjectNode record = QueryRecord.of(analyzed(qe), error == null ? executed(qe) : null,
          sealer);
      record.put("execution_id", qe.id());
      record.put("function", funcName);
      record.put("outcome", error == null ? "success" : "failure");
      Instant end = Instant.now();
      // A failure reports no duration: its start is then its end (unknown, never invented).
      record.put("duration_ms", durationNs >= 0 ? durationNs / 1_000_000 : null);
      record.put("start", end.minusNanos(Math.max(durationNs, 0)).toString());
      record.put("end", end.toString());
      if (error != null) {
        record.put("error_class", error.getClass().getName());
        record.put("error", ThrowableSealer.sealedMessage(error, sealer));
      }
      offer(JSON.writeValueAsString(record));
    } catch (Throwable t) { // never break the user's query; the gap is counted
      DROPPED.incrementAndGet();
    }
  }

  private static LogicalPlan analyzed(QueryExecution qe) {
    try {
      return qe.analyzed();
    } catch (Throwable t) { // a query that failed analysis has no plan: inputs unknown
      return null;
    }
  }

  private static SparkPlan executed(QueryExecution qe) {
    try {
      return qe.executedPlan();
    } catch (Throwable t) {
      return null;
    }
  }

  static void offer(String record) {
    if (HELD.incrementAndGet() > CAPACITY) {
      HELD.decrementAndGet();
      DROPPED.incrementAndGet();
      return;
    }
    QUEUE.add(record);
  }

  /** {@code {"records": [...], "dropped": n}}: everything kept since the last drain. */
  public static String drain() {
    ObjectNode out = JSON.createObjectNode();
    ArrayNode records = out.putArray("records");
    String record;
    while ((record = QUEUE.poll()) != null) {
      HELD.decrementAndGet();
      try {
        records.add(JSON.readTree(record));
      } catch (Exception e) {
        DROPPED.incrementAndGet();
      }
    }
    out.put("dropped", DROPPED.getAndSet(0));
    return out.toString();
  }
}

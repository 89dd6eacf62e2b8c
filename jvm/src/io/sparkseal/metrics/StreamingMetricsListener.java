package io.sparkseal.metrics;

import java.time.Instant;
import org.apache.spark.sql.streaming.StateOperatorProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * Streaming query progress into {@link MetricsListener}'s snapshot: input and processing rates,
 * batch duration, state rows and watermark delay (registered through {@code
 * spark.sql.streaming.streamingQueryListeners} by {@code sparkseal.harden}). Query names, ids
 * and source descriptions are never read.
 */
public class StreamingMetricsListener extends StreamingQueryListener {
  @Override
  public void onQueryStarted(QueryStartedEvent event) {}

  @Override
  public void onQueryTerminated(QueryTerminatedEvent event) {}

  @Override
  public void onQueryProgress(QueryProgressEvent event) {
    MetricsListener target = MetricsListener.current();
    if (target == null) {
      return;
    }
    try {
      StreamingQueryProgress p = event.progress();
      double state = Double.NaN;
      StateOperatorProgress[] ops = p.stateOperators();
      if (ops != null && ops.length > 0) {
        state = 0;
        for (StateOperatorProgress op : ops) {
          state += op.numRowsTotal();
        }
      }
      target.streaming.progress(
          p.inputRowsPerSecond(),
          p.processedRowsPerSecond(),
          p.batchDuration(),
          state,
          watermarkDelay(p));
    } catch (Throwable t) {
      // a progress this listener cannot read: the gauges keep their last values
    }
  }

  /** Seconds between the batch's trigger time and the watermark, NaN without a watermark. */
  static double watermarkDelay(StreamingQueryProgress p) {
    try {
      String watermark = p.eventTime() == null ? null : p.eventTime().get("watermark");
      if (watermark == null) {
        return Double.NaN;
      }
      long mark = Instant.parse(watermark).toEpochMilli();
      if (mark <= 0) {
        return Double.NaN; // no event seen yet: Spark reports the epoch
      }
      long delta = Instant.parse(p.timestamp()).toEpochMilli() - mark;
      return Math.max(0, delta) / 1000.0;
    } catch (Throwable t) {
      return Double.NaN;
    }
  }
}

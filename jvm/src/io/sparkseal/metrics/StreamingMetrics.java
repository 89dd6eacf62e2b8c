package io.sparkseal.metrics;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The latest streaming progress (gauges) and a batch-duration histogram, across the
 * application's streaming queries: numbers only, a fixed size whatever the number of batches.
 */
final class StreamingMetrics {
  private final Histogram batchDuration = new Histogram(Histogram.SECONDS);
  private volatile double inputRowsPerSecond = Double.NaN;
  private volatile double processedRowsPerSecond = Double.NaN;
  private volatile double stateRows = Double.NaN;
  private volatile double watermarkDelaySeconds = Double.NaN;
  private volatile long batches;

  synchronized void progress(
      double input, double processed, long batchMillis, double state, double watermarkDelay) {
    inputRowsPerSecond = finite(input);
    processedRowsPerSecond = finite(processed);
    stateRows = state;
    watermarkDelaySeconds = watermarkDelay;
    batchDuration.observe(batchMillis / 1000.0);
    batches++;
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : Double.NaN;
  }

  synchronized void write(ObjectNode root) {
    ObjectNode s = root.putObject("streaming");
    s.put("batches", batches);
    gauge(s, "input_rows_per_second", inputRowsPerSecond);
    gauge(s, "processed_rows_per_second", processedRowsPerSecond);
    gauge(s, "state_rows", stateRows);
    gauge(s, "watermark_delay_seconds", watermarkDelaySeconds);
    batchDuration.write(s.putObject("batch_duration"));
  }

  private static void gauge(ObjectNode s, String key, double v) {
    if (Double.isFinite(v)) {
      s.put(key, v);
    } else {
      s.putNull(key); // not reported yet: no sample, rather than an invented zero
    }
  }
}

package io.sparkseal.metrics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * A histogram with fixed bucket bounds: a count per bucket and a sum, so its memory never
 * grows with the number of observations (no per-task buffering). Thread-safe.
 */
final class Histogram {
  /** Seconds: from a fast task to a long job. */
  static final double[] SECONDS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600
  };

  private final double[] bounds;
  private final AtomicLongArray counts; // the last slot: above every bound (+Inf)
  private final DoubleAdder sum = new DoubleAdder();

  Histogram(double[] bounds) {
    this.bounds = bounds.clone();
    this.counts = new AtomicLongArray(bounds.length + 1);
  }

  void observe(double value) {
    if (Double.isNaN(value) || value < 0) {
      return; // a clock that went backwards is not a duration
    }
    int i = 0;
    while (i < bounds.length && value > bounds[i]) {
      i++;
    }
    counts.incrementAndGet(i);
    sum.add(value);
  }

  /** Bounds, non-cumulative counts (one more than bounds) and the sum: numbers only. */
  void write(ObjectNode out) {
    ArrayNode b = out.putArray("bounds");
    for (double v : bounds) {
      b.add(v);
    }
    ArrayNode c = out.putArray("counts");
    for (int i = 0; i < counts.length(); i++) {
      c.add(counts.get(i));
    }
    out.put("sum", sum.sum());
  }
}

package io.sparkseal.attest;

import io.sparkseal.Status;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executor attestation ({@code spark.plugins}, set by {@code harden()}). Each executor, before
 * it accepts any task, checks that it seals -- sparkseal's jar and Java agent, its log4j2
 * filter, a valid public key, the opened {@code java.lang} module, a supported Spark -- and
 * reports to the driver. An executor that cannot prove it throws from its plugin, so Spark
 * never creates it: no task runs there. A missing jar stops it the same way (this class cannot
 * load). The driver logs each refusal with the reason (SS401), stops the application so the
 * job fails fast instead of waiting for executors that will never come, and logs executors lost
 * before they attested (SS402).
 */
public final class SealingPlugin implements SparkPlugin {
  private static final Logger LOG = LoggerFactory.getLogger(SealingPlugin.class);
  private static final List<String> REFUSALS = Collections.synchronizedList(new ArrayList<>());

  /** What an executor reports about itself. */
  public static final class Report implements Serializable {
    private static final long serialVersionUID = 1L;
    final String executorId;
    final String host;
    final String problems;

    Report(String executorId, String host, String problems) {
      this.executorId = executorId;
      this.host = host;
      this.problems = problems;
    }
  }

  /** Refusals the driver received, one line each (empty when every executor attested). */
  public static String refusals() {
    synchronized (REFUSALS) {
      return String.join("\n", REFUSALS);
    }
  }

  @Override
  public DriverPlugin driverPlugin() {
    return new Driver();
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new Executor();
  }

  static final class Driver implements DriverPlugin {
    /** Executors lost in a row before attesting, after which the application is stopped. */
    static final int MAX_UNATTESTED_LOSSES = 3;
    private final Set<String> attested = ConcurrentHashMap.newKeySet();
    private final Set<String> lostUnattested = ConcurrentHashMap.newKeySet();
    private volatile SparkContext sc;

    @Override
    public Map<String, String> init(SparkContext context, PluginContext ctx) {
      // The live UI's store is built from sealed events, or the application does not start.
      String problem = io.sparkseal.events.SealingEventQueue.install(context);
      if (problem != null) {
        throw new io.sparkseal.SparksealException("SS403: sparkseal: " + problem
            + "; the UI would show what the event log seals, so the application does not start");
      }
      sc = context;
      context.addSparkListener(new SparkListener() {
        @Override
        public void onExecutorRemoved(SparkListenerExecutorRemoved event) {
          String id = event.executorId();
          if ("driver".equals(id) || attested.contains(id) || !lostUnattested.add(id)) {
            return;
          }
          LOG.error("SS402: executor {} was lost before it proved that it seals ({}); it ran no"
              + " task. Look at its stderr: a worker without sparkseal's jar or agent at the"
              + " configured paths cannot start it.", id, event.reason());
          if (lostUnattested.size() >= MAX_UNATTESTED_LOSSES) {
            refuse("SS402: " + lostUnattested.size() + " executors in a row were lost before"
                + " they proved that they seal; the last: " + event.reason());
          }
        }
      });
      return Collections.emptyMap();
    }

    /** Record why, and stop the application: no executor here can run its tasks sealed. */
    private void refuse(String line) {
      REFUSALS.add(line);
      LOG.error(line + ". sparkseal stops the application; fix the executors' configuration"
          + " (see docs/codes.md).");
      SparkContext context = sc;
      if (context != null) {
        sc = null; // once
        Thread stopper = new Thread(context::stop, "sparkseal-attestation-stop");
        stopper.setDaemon(true);
        stopper.start();
      }
    }

    @Override
    public Object receive(Object message) {
      if (!(message instanceof Report)) {
        return Boolean.FALSE;
      }
      Report r = (Report) message;
      if (r.problems.isEmpty()) {
        attested.add(r.executorId);
        lostUnattested.clear();
        return Boolean.TRUE;
      }
      String line = "SS401: executor " + r.executorId + " on " + r.host
          + " refused to run tasks because it cannot seal: " + r.problems.replace("\n", "; ");
      if ("driver".equals(r.executorId)) {
        REFUSALS.add(line); // local mode: the SparkContext fails to start with the reason
        LOG.error(line);
      } else {
        refuse(line);
      }
      return Boolean.FALSE;
    }
  }

  static final class Executor implements ExecutorPlugin {
    @Override
    public void init(PluginContext ctx, Map<String, String> extraConf) {
      String problems = Status.problems();
      try {
        // (ctx.hostname() fails on executors: their RPC environment has no address)
        ctx.ask(new Report(ctx.executorID(), org.apache.spark.util.Utils.localHostName(), problems));
      } catch (Exception e) {
        if (problems.isEmpty()) {
          problems = "the driver did not acknowledge this executor's attestation ("
              + e.getClass().getSimpleName() + ")";
        }
      }
      if (!problems.isEmpty()) {
        throw new io.sparkseal.SparksealException("SS401: sparkseal: this executor cannot seal, so it runs"
            + " no task: " + problems.replace("\n", "; "));
      }
    }
  }
}

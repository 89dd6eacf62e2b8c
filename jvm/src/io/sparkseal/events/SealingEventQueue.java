package io.sparkseal.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkseal.Sealers;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AsyncEventQueue;
import org.apache.spark.scheduler.LiveListenerBus;
import org.apache.spark.scheduler.LiveListenerBusMetrics;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerInterface;
import org.apache.spark.util.JsonProtocol$;
import org.apache.spark.util.JsonProtocolOptions;

/**
 * The live UI's listener queue ({@code appStatus}), with every event sealed before any listener
 * of the queue sees it. The UI's store -- REST answers and HTML pages alike, the SQL and
 * streaming tabs included -- is then built from sealed events only, whatever page or route
 * asks for it. Events are sealed by the event log's {@link EventSealer}: Spark's JSON, sealed,
 * read back with Spark's own {@code JsonProtocol}, exactly as the History Server reads the
 * sealed event log.
 */
public final class SealingEventQueue extends AsyncEventQueue {
  static final String STATUS_QUEUE = "appStatus";
  private final ObjectMapper mapper = new ObjectMapper();
  private final EventSealer sealer;
  private final JsonProtocolOptions options;

  SealingEventQueue(SparkConf conf, LiveListenerBusMetrics metrics, LiveListenerBus bus) {
    super(STATUS_QUEUE, conf, metrics, bus);
    this.options = new JsonProtocolOptions(conf);
    this.sealer = new EventSealer(Sealers.get(), io.sparkseal.SealedEventLoggingListener.redactionRegex(conf));
  }

  // The queue's one dispatch thread posts each event to every listener in turn: seal it once.
  private SparkListenerEvent lastIn;
  private SparkListenerEvent lastOut;

  @Override
  public void doPostEvent(SparkListenerInterface listener, SparkListenerEvent event) {
    if (event != lastIn) {
      lastOut = sealed(event);
      lastIn = event;
    }
    super.doPostEvent(listener, lastOut);
  }

  SparkListenerEvent sealed(SparkListenerEvent event) {
    if (!EventSealer.mayCarryText(event)) {
      return event;
    }
    try {
      String json = JsonProtocol$.MODULE$.sparkEventToJsonString(event, options);
      ObjectNode node = (ObjectNode) mapper.readTree(json);
      return sealer.seal(node) ? JsonProtocol$.MODULE$.sparkEventFromJson(node) : event;
    } catch (java.io.IOException | RuntimeException e) {
      // fail closed: the UI misses one event rather than show it in clear
      org.slf4j.LoggerFactory.getLogger(SealingEventQueue.class).warn(
          "SS003: sparkseal withheld a {} event from the live UI ({})",
          event.getClass().getSimpleName(), e.getClass().getSimpleName());
      return WITHHELD;
    }
  }

  private static final SparkListenerEvent WITHHELD =
      new org.apache.spark.scheduler.SparkListenerLogStart("withheld by sparkseal (SS003)");

  /**
   * Put a sealing queue in place of {@code sc}'s {@code appStatus} queue, keeping its listeners.
   * Called from the attestation plugin while the SparkContext is being created, before the bus
   * starts; returns why it could not, or null.
   */
  public static String install(SparkContext sc) {
    try {
      LiveListenerBus bus = sc.listenerBus();
      Field field = LiveListenerBus.class.getDeclaredField("queues");
      field.setAccessible(true);
      @SuppressWarnings("unchecked")
      CopyOnWriteArrayList<AsyncEventQueue> queues =
          (CopyOnWriteArrayList<AsyncEventQueue>) field.get(bus);
      for (int i = 0; i < queues.size(); i++) {
        AsyncEventQueue queue = queues.get(i);
        if (queue instanceof SealingEventQueue) {
          return null;
        }
        if (STATUS_QUEUE.equals(queue.name())) {
          SealingEventQueue sealing = new SealingEventQueue(sc.conf(), bus.metrics(), bus);
          List<SparkListenerInterface> listeners = queue.listeners();
          for (SparkListenerInterface l : listeners) {
            sealing.addListener(l);
          }
          queues.set(i, sealing);
          return null;
        }
      }
      return "the live UI's listener queue (appStatus) was not found";
    } catch (ReflectiveOperationException | RuntimeException e) {
      return "the live UI's listener queue could not be replaced: " + e.getClass().getSimpleName();
    }
  }
}

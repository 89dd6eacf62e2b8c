package io.sparkseal;

import io.sparkseal.events.EventSealer;
import java.net.URI;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.EventLoggingListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.JsonProtocol$;
import org.apache.spark.util.JsonProtocolOptions;
import org.apache.spark.util.Utils;
import scala.Option;

/**
 * Spark's event log writer, with data sealed. Registered through {@code spark.extraListeners}
 * in place of the built-in writer ({@code spark.eventLog.enabled=false}), it honours every
 * other {@code spark.eventLog.*} setting -- directory, compression codec, rolling -- because it
 * is Spark's own {@link EventLoggingListener} and file writer: the History Server reads its
 * output unchanged. Every event that can carry data goes through {@link EventSealer}, the
 * sealer the live UI's queue uses too.
 */
public class SealedEventLoggingListener extends EventLoggingListener {
  private final EventSealer sealer;
  private final JsonProtocolOptions options;

  public SealedEventLoggingListener(SparkConf conf) {
    super(conf.getAppId(), Option.apply(conf.get("spark.app.attempt.id", null)), logDir(conf), conf);
    this.options = new JsonProtocolOptions(conf);
    this.sealer = new EventSealer(Sealers.get(), redactionRegex(conf));
    start();
  }

  private static URI logDir(SparkConf conf) {
    String dir = conf.get("spark.eventLog.dir", "/tmp/spark-events");
    return Utils.resolveURI(dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir);
  }

  private void write(SparkListenerEvent event, boolean flush) {
    String json = JsonProtocol$.MODULE$.sparkEventToJsonString(event, options);
    logWriter().writeEvent(sealer.seal(json), flush);
  }

  @Override
  public void onJobStart(SparkListenerJobStart event) {
    write(event, true);
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd event) {
    write(event, true);
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted event) {
    write(event, true);
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted event) {
    write(event, true);
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd event) {
    if (EventSealer.mayCarryText(event)) {
      write(event, false);
    } else {
      super.onTaskEnd(event);
    }
  }

  @Override
  public void onOtherEvent(SparkListenerEvent event) {
    if (event.logEvent()) {
      write(event, true); // SQL, streaming and any other event: sealed by its schema
    }
  }

  @Override
  public void onApplicationEnd(SparkListenerApplicationEnd event) {
    super.onApplicationEnd(event);
    stop(); // SparkContext stops only its built-in writer
  }

  public static String redactionRegex(SparkConf conf) {
    return conf.get("spark.redaction.regex", Rules.REDACTION);
  }
}

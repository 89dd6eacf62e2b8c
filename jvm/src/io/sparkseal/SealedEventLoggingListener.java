package io.sparkseal;

import java.net.URI;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.EventLoggingListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.util.JsonProtocol$;
import org.apache.spark.util.Utils;
import scala.Option;

/**
 * Spark's event log writer, with data sealed. Registered through {@code spark.extraListeners}
 * in place of the built-in writer ({@code spark.eventLog.enabled=false}), it honours every
 * other {@code spark.eventLog.*} setting -- directory, compression codec, rolling -- because it
 * is Spark's own {@link EventLoggingListener} and file writer: the History Server reads its
 * output unchanged. Events that can carry data are re-serialised with {@link EventSealer}.
 */
public class SealedEventLoggingListener extends EventLoggingListener {
  private final EventSealer sealer;

  public SealedEventLoggingListener(SparkConf conf) {
    super(conf.getAppId(), Option.apply(conf.get("spark.app.attempt.id", null)), logDir(conf), conf);
    this.sealer = new EventSealer(Sealers.get(),
        conf.get("spark.redaction.regex", Rules.REDACTION));
    start();
  }

  private static URI logDir(SparkConf conf) {
    String dir = conf.get("spark.eventLog.dir", "/tmp/spark-events");
    return Utils.resolveURI(dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir);
  }

  private void write(SparkListenerEvent event) {
    String json = JsonProtocol$.MODULE$.sparkEventToJsonString(event);
    logWriter().writeEvent(sealer.seal(json), true);
  }

  @Override
  public void onJobStart(SparkListenerJobStart event) {
    write(event);
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted event) {
    write(event);
  }

  @Override
  public void onStageCompleted(org.apache.spark.scheduler.SparkListenerStageCompleted event) {
    write(event); // its RDD names may be plans (cached DataFrames)
  }

  @Override
  public void onOtherEvent(SparkListenerEvent event) {
    if (event.getClass().getName().startsWith(EventSealer.SQL) && event.logEvent()) {
      write(event);
    } else {
      super.onOtherEvent(event);
    }
  }

  @Override
  public void onApplicationEnd(SparkListenerApplicationEnd event) {
    super.onApplicationEnd(event);
    stop(); // SparkContext stops only its built-in writer
  }
}

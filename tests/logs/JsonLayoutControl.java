// Formats one log event, carrying a canary in its message, context (MDC) and throwable, with
// Spark's stock JSON layout (SparkLayout.json) and with sparkseal's (the eventTemplate of
// log4j2-sparkseal-json.properties); prints "stock\t<json>" and "sealed\t<json>".
// Run by tests/logs/test_spark_structured_logging.py with `java <this file>` (no Spark app).
import java.io.FileReader;
import java.util.Properties;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.DefaultConfiguration;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.layout.template.json.JsonTemplateLayout;
import org.apache.logging.log4j.message.SimpleMessage;
import org.apache.logging.log4j.util.SortedArrayStringMap;

public class JsonLayoutControl {
  public static void main(String[] args) throws Exception {
    String canary = args[0];
    Properties props = new Properties();
    try (FileReader in = new FileReader(args[1])) {
      props.load(in);
    }
    SortedArrayStringMap mdc = new SortedArrayStringMap();
    mdc.putValue("task_name", "task 1.0 in stage 2.0 (TID 7)");
    mdc.putValue("executor_id", "3");
    mdc.putValue("error", "bad value " + canary);
    mdc.putValue("executor_id_free_text", canary);
    mdc.putValue("task_id", canary); // a listed key whose value is not a number
    mdc.putValue(canary, "1"); // a user's MDC key that is data
    IllegalStateException cause = new IllegalStateException("cause " + canary);
    RuntimeException thrown = new RuntimeException("failed on " + canary, cause);
    LogEvent event = Log4jLogEvent.newBuilder()
        .setLoggerName("org.apache.spark.scheduler.TaskSetManager")
        .setLevel(Level.WARN)
        .setMessage(new SimpleMessage("Lost task for " + canary))
        .setContextData(mdc)
        .setThrown(thrown)
        .build();
    DefaultConfiguration config = new DefaultConfiguration();
    JsonTemplateLayout stock = JsonTemplateLayout.newBuilder()
        .setConfiguration(config)
        .setEventTemplateUri("classpath:org/apache/spark/SparkLayout.json")
        .build();
    JsonTemplateLayout sealed = JsonTemplateLayout.newBuilder()
        .setConfiguration(config)
        .setEventTemplate(props.getProperty("appender.console.layout.eventTemplate"))
        .build();
    System.out.println("stock\t" + stock.toSerializable(event).trim());
    System.out.println("sealed\t" + sealed.toSerializable(event).trim());
  }
}

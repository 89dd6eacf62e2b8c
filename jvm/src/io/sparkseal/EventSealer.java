package io.sparkseal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Seals the fields of one event-log JSON event that can carry data: plan strings
 * ({@code physicalPlanDescription}, {@code sparkPlanInfo.simpleString}), query and job
 * descriptions (SQL text), and error messages built on the driver. Failure reasons of
 * tasks are sealed at their source, in the executor (see {@link ThrowableSealer}).
 */
public final class EventSealer {
  static final String SQL = "org.apache.spark.sql.execution.ui.";
  private final ObjectMapper mapper = new ObjectMapper();
  private final TokenSealer sealer;
  private final Pattern redaction;

  public EventSealer(TokenSealer sealer, String redactionRegex) {
    this.sealer = sealer;
    this.redaction = Pattern.compile(redactionRegex);
  }

  /** The event's JSON with data sealed; the same string if nothing needed sealing. */
  public String seal(String json) {
    try {
      JsonNode root = mapper.readTree(json);
      if (!(root instanceof ObjectNode) || !sealObject((ObjectNode) root)) {
        return json;
      }
      return mapper.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return "{\"Event\":\"SparkListenerLogStart\",\"Spark Version\":\"unreadable event withheld by sparkseal\"}";
    }
  }

  private boolean sealObject(ObjectNode event) {
    String type = event.path("Event").asText();
    boolean changed = false;
    for (JsonNode stage : event.path("Stage Infos")) {
      changed |= sealRddNames(stage);
    }
    changed |= sealRddNames(event.path("Stage Info"));
    switch (type) {
      case "SparkListenerJobStart", "SparkListenerStageSubmitted" ->
          changed |= sealProperties(event.path("Properties"));
      case SQL + "SparkListenerSQLExecutionStart" -> {
        changed |= replace(event, "description", PlanSealer.sealDescription(
            event.path("description").asText(null), sealer));
        changed |= replace(event, "physicalPlanDescription", PlanSealer.sealPlanDescription(
            event.path("physicalPlanDescription").asText(null), sealer));
        changed |= sealPlanInfo(event.path("sparkPlanInfo"));
      }
      case SQL + "SparkListenerSQLAdaptiveExecutionUpdate" -> {
        changed |= replace(event, "physicalPlanDescription", PlanSealer.sealPlanDescription(
            event.path("physicalPlanDescription").asText(null), sealer));
        changed |= sealPlanInfo(event.path("sparkPlanInfo"));
      }
      case SQL + "SparkListenerSQLExecutionEnd" ->
          changed = replace(event, "errorMessage", sealError(event.path("errorMessage").asText(null)));
      default -> { }
    }
    return changed;
  }

  /** An error message: a leading Spark condition stays readable, the rest is sealed. */
  public String sealError(String message) {
    if (message == null || TokenSealer.isSealed(message)) {
      return message;
    }
    String head = Rules.readableCondition(message);
    return head + sealer.sealText(message.substring(head.length()));
  }

  /** RDD names in a stage's "RDD Info" (cached DataFrames are named after their plan). */
  private boolean sealRddNames(JsonNode stageInfo) {
    boolean changed = false;
    for (JsonNode rdd : stageInfo.path("RDD Info")) {
      if (rdd instanceof ObjectNode) {
        changed |= replace((ObjectNode) rdd, "Name",
            PlanSealer.sealRddName(rdd.path("Name").asText(null), sealer));
      }
    }
    return changed;
  }

  private boolean sealPlanInfo(JsonNode info) {
    if (!(info instanceof ObjectNode)) {
      return false;
    }
    ObjectNode node = (ObjectNode) info;
    boolean changed = replace(node, "simpleString",
        PlanSealer.sealSimpleString(node.path("simpleString").asText(null), sealer));
    JsonNode metadata = node.path("metadata");
    if (metadata instanceof ObjectNode) {
      Iterator<Map.Entry<String, JsonNode>> it = metadata.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String sealed = PlanSealer.sealMetadata(e.getKey(), e.getValue().asText(), sealer);
        if (!sealed.equals(e.getValue().asText())) {
          e.setValue(mapper.getNodeFactory().textNode(sealed));
          changed = true;
        }
      }
    }
    for (JsonNode child : node.path("children")) {
      changed |= sealPlanInfo(child);
    }
    return changed;
  }

  private boolean sealProperties(JsonNode props) {
    if (!(props instanceof ObjectNode)) {
      return false;
    }
    ObjectNode p = (ObjectNode) props;
    boolean changed = replace(p, "spark.job.description",
        PlanSealer.sealDescription(p.path("spark.job.description").asText(null), sealer));
    Iterator<Map.Entry<String, JsonNode>> it = p.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (redaction.matcher(e.getKey()).find() || redaction.matcher(e.getValue().asText()).find()) {
        changed |= !"*********(redacted)".equals(e.getValue().asText());
        e.setValue(mapper.getNodeFactory().textNode("*********(redacted)"));
      }
    }
    return changed;
  }

  private static boolean replace(ObjectNode node, String field, String value) {
    if (value == null || !node.has(field) || value.equals(node.get(field).asText())) {
      return false;
    }
    node.put(field, value);
    return true;
  }
}

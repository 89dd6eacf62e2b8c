package io.sparkseal.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.sparkseal.Rules;
import io.sparkseal.TokenSealer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Seals a Spark listener event, as the JSON Spark writes for it, by its schema: every field that
 * user code or data can fill is sealed, everything else stays readable. One sealer serves every
 * sink -- the event log, the live UI's store ({@link SealingEventQueue}) and so the History
 * Server -- so the three always agree.
 *
 * <p>Readable, by event type ({@link EventRules}): Spark's ids, numbers, timestamps, hosts,
 * metric names, class names and frames of failure reasons (sealed at their source by the
 * agent), the first word of each plan node's name, and Spark's own property keys. Sealed:
 * job and stage descriptions, names and call sites, job groups, tags and pools, other
 * property values, RDD names, plan details and scan metadata, SQL text, kill and failure
 * reasons built on the driver, user accumulator values, streaming query names, source and
 * sink descriptions, offsets, event times and observed metric values. Events of a type not
 * in the rules have every string sealed.
 */
public final class EventSealer {
  static final String REDACTED = "*********(redacted)";
  private final ObjectMapper mapper = new ObjectMapper();
  private final TokenSealer sealer;
  private final java.util.regex.Pattern redaction;

  /** {@code redactionRegex}: property keys or values it matches are redacted, not sealed. */
  public EventSealer(TokenSealer sealer, String redactionRegex) {
    this.sealer = sealer;
    this.redaction = java.util.regex.Pattern.compile(redactionRegex);
  }

  /**
   * False for the frequent events that carry no text user code or the data can fill: task
   * starts, and task ends that succeeded with Spark's own metrics only. They skip the JSON.
   */
  public static boolean mayCarryText(org.apache.spark.scheduler.SparkListenerEvent event) {
    if (event instanceof org.apache.spark.scheduler.SparkListenerTaskStart) {
      return false;
    }
    if (event instanceof org.apache.spark.scheduler.SparkListenerTaskEnd) {
      org.apache.spark.scheduler.SparkListenerTaskEnd end =
          (org.apache.spark.scheduler.SparkListenerTaskEnd) event;
      if (end.reason() != org.apache.spark.Success$.MODULE$) {
        return true;
      }
      scala.collection.Iterator<org.apache.spark.scheduler.AccumulableInfo> it =
          end.taskInfo().accumulables().iterator();
      while (it.hasNext()) {
        org.apache.spark.scheduler.AccumulableInfo a = it.next();
        if (!a.internal() && !"sql".equals(a.metadata().isDefined() ? a.metadata().get() : "")) {
          return true;
        }
      }
      return false;
    }
    return true;
  }

  /** The event's JSON with data sealed; the same string if nothing needed sealing. */
  public String seal(String json) {
    try {
      JsonNode root = mapper.readTree(json);
      if (!(root instanceof ObjectNode) || !seal((ObjectNode) root)) {
        return json;
      }
      return mapper.writeValueAsString(root);
    } catch (java.io.IOException | RuntimeException e) {
      return "{\"Event\":\"SparkListenerLogStart\",\"Spark Version\":\"event withheld by sparkseal (SS003)\"}";
    }
  }

  /** Seal {@code event} in place; true if anything changed. */
  public boolean seal(ObjectNode event) {
    String type = EventRules.shortType(event.path("Event").asText(""));
    EventRules.Schema schema = EventRules.schema(type);
    boolean changed = false;
    List<String> names = new ArrayList<>();
    event.fieldNames().forEachRemaining(names::add);
    for (String field : names) {
      if (field.equals("Event")) {
        continue;
      }
      changed |= apply(event, field, schema.rule(field), schema);
    }
    if (schema.plan && event.has("physicalPlanDescription") && event.has("sparkPlanInfo")) {
      String rendered = PlanRenderer.render(event.path("sparkPlanInfo"));
      changed |= replaceText(event, "physicalPlanDescription", rendered);
    }
    return changed;
  }

  private boolean apply(ObjectNode parent, String field, EventRules.Rule rule, EventRules.Schema s) {
    JsonNode value = parent.get(field);
    switch (rule) {
      case KEEP:
        return value != null && sealAccumulables(value);
      case SEAL:
        return sealAll(parent, field, value);
      case CONDITION:
        if (value != null && value.isTextual()) {
          String text = value.asText();
          String head = Rules.readableCondition(text);
          return replaceText(parent, field, head + sealer.sealText(text.substring(head.length())));
        }
        return sealAll(parent, field, value);
      case PROPERTIES:
        return value instanceof ObjectNode && sealProperties((ObjectNode) value);
      case STAGE_INFO:
        return sealEach(value, this::sealStageInfo);
      case TASK_END_REASON:
        return value instanceof ObjectNode && sealReason((ObjectNode) value);
      case JOB_RESULT:
        return value instanceof ObjectNode && sealJobResult((ObjectNode) value);
      case PLAN_INFO:
        return value instanceof ObjectNode && sealPlanInfo((ObjectNode) value);
      case PLAN_TEXT:
        return false; // rendered from the plan tree after the walk
      case STREAMING_PROGRESS:
        return value instanceof ObjectNode && sealProgress((ObjectNode) value);
      default:
        return sealAll(parent, field, value);
    }
  }

  private interface ObjectRule {
    boolean apply(ObjectNode node);
  }

  private static boolean sealEach(JsonNode value, ObjectRule rule) {
    boolean changed = false;
    if (value instanceof ObjectNode) {
      return rule.apply((ObjectNode) value);
    }
    for (JsonNode item : value == null ? List.<JsonNode>of() : value) {
      if (item instanceof ObjectNode) {
        changed |= rule.apply((ObjectNode) item);
      }
    }
    return changed;
  }

  /** Every string under {@code parent.field} sealed (numbers and booleans stay). */
  private boolean sealAll(ObjectNode parent, String field, JsonNode value) {
    if (value == null || value.isNull()) {
      return false;
    }
    if (value.isTextual()) {
      return replaceText(parent, field, sealer.sealText(value.asText()));
    }
    return sealStrings(value);
  }

  private boolean sealStrings(JsonNode node) {
    boolean changed = false;
    if (node instanceof ObjectNode) {
      ObjectNode o = (ObjectNode) node;
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        changed |= sealAll(o, name, o.get(name));
      }
    } else if (node instanceof ArrayNode) {
      ArrayNode a = (ArrayNode) node;
      for (int i = 0; i < a.size(); i++) {
        JsonNode item = a.get(i);
        if (item.isTextual()) {
          String sealed = sealer.sealText(item.asText());
          if (!sealed.equals(item.asText())) {
            a.set(i, TextNode.valueOf(sealed));
            changed = true;
          }
        } else {
          changed |= sealStrings(item);
        }
      }
    }
    return changed;
  }

  private boolean replaceText(ObjectNode node, String field, String value) {
    if (value == null || value.equals(node.path(field).asText(null))) {
      return false;
    }
    node.put(field, value);
    return true;
  }

  /** Job and stage properties: Spark's keys readable, values only for Spark's own ids. */
  private boolean sealProperties(ObjectNode props) {
    boolean changed = false;
    List<String> names = new ArrayList<>();
    props.fieldNames().forEachRemaining(names::add);
    for (String key : names) {
      JsonNode value = props.get(key);
      String readableKey = EventRules.readablePropertyKey(key) ? key : sealer.seal(key);
      JsonNode newValue = value;
      if (value != null && (redaction.matcher(key).find()
          || redaction.matcher(value.asText()).find())) {
        newValue = TextNode.valueOf(REDACTED); // secrets are removed, not sealed
      } else if (!EventRules.READABLE_PROPERTY_VALUES.contains(key) && value != null
          && value.isTextual()) {
        newValue = TextNode.valueOf(sealer.sealText(value.asText()));
      }
      if (!readableKey.equals(key) || newValue != value && !newValue.equals(value)) {
        props.remove(key);
        props.set(readableKey, newValue);
        changed = true;
      }
    }
    return changed;
  }

  private boolean sealStageInfo(ObjectNode stage) {
    boolean changed = false;
    for (String field : EventRules.STAGE_SEALED) {
      changed |= sealAll(stage, field, stage.get(field));
    }
    for (JsonNode rdd : stage.path("RDD Info")) {
      if (rdd instanceof ObjectNode) {
        for (String field : EventRules.RDD_SEALED) {
          changed |= sealAll((ObjectNode) rdd, field, rdd.get(field));
        }
      }
    }
    return changed | sealAccumulables(stage);
  }

  /** Failure reasons of tasks: sealed at the source (attested agent); kill and fetch texts here. */
  private boolean sealReason(ObjectNode reason) {
    boolean changed = false;
    for (String field : EventRules.REASON_SEALED) {
      changed |= sealAll(reason, field, reason.get(field));
    }
    return changed | sealAccumulables(reason);
  }

  private boolean sealJobResult(ObjectNode result) {
    JsonNode exception = result.get("Exception");
    return exception instanceof ObjectNode
        && sealAll((ObjectNode) exception, "Message", exception.get("Message"));
  }

  /** A user accumulator's value is data; Spark's internal and SQL metrics are numbers of ours. */
  private boolean sealAccumulables(JsonNode node) {
    boolean changed = false;
    if (node instanceof ObjectNode) {
      ObjectNode o = (ObjectNode) node;
      if (o.has("ID") && o.has("Name") && (o.has("Value") || o.has("Update"))
          && !EventRules.internalAccumulable(o)) {
        changed |= sealValue(o, "Value") | sealValue(o, "Update");
      }
      Iterator<Map.Entry<String, JsonNode>> it = o.fields();
      while (it.hasNext()) {
        JsonNode child = it.next().getValue();
        if (child.isContainerNode()) {
          changed |= sealAccumulables(child);
        }
      }
    } else if (node instanceof ArrayNode) {
      for (JsonNode child : node) {
        changed |= sealAccumulables(child);
      }
    }
    return changed;
  }

  private boolean sealValue(ObjectNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    return replaceText(node, field, sealer.seal(v.isTextual() ? v.asText() : v.toString()));
  }

  /** A plan node: the first word of its name readable, the rest, and scan metadata, sealed. */
  private boolean sealPlanInfo(ObjectNode node) {
    boolean changed = replaceText(node, "nodeName", PlanRenderer.headSealed(
        node.path("nodeName").asText(""), sealer));
    changed |= replaceText(node, "simpleString", PlanRenderer.headSealed(
        node.path("simpleString").asText(""), sealer));
    JsonNode metadata = node.get("metadata");
    if (metadata instanceof ObjectNode) {
      Iterator<Map.Entry<String, JsonNode>> it = metadata.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!EventRules.READABLE_METADATA.contains(e.getKey())) {
          String sealed = sealer.sealText(e.getValue().asText());
          if (!sealed.equals(e.getValue().asText())) {
            e.setValue(TextNode.valueOf(sealed));
            changed = true;
          }
        }
      }
    }
    for (JsonNode child : node.path("children")) {
      if (child instanceof ObjectNode) {
        changed |= sealPlanInfo((ObjectNode) child);
      }
    }
    return changed;
  }

  /** Streaming progress: ids, counts and durations readable; names, offsets and values sealed. */
  private boolean sealProgress(ObjectNode progress) {
    boolean changed = false;
    for (String field : EventRules.PROGRESS_SEALED) {
      changed |= sealAll(progress, field, progress.get(field));
    }
    for (String part : new String[] {"sources", "sink"}) {
      changed |= sealEach(progress.get(part), p -> {
        boolean c = false;
        for (String field : EventRules.SOURCE_SEALED) {
          c |= sealAll(p, field, p.get(field));
        }
        return c;
      });
    }
    JsonNode observed = progress.get("observedMetrics");
    if (observed instanceof ObjectNode) {
      changed |= sealObserved((ObjectNode) observed);
    }
    return changed;
  }

  /**
   * Observed metrics are values computed from the data: each becomes a token, its schema type
   * string, so the History Server still reads a row. Anything of another shape is dropped.
   */
  private boolean sealObserved(ObjectNode observed) {
    boolean changed = false;
    Iterator<Map.Entry<String, JsonNode>> it = observed.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode metric = e.getValue();
      JsonNode values = metric.path("values");
      JsonNode fields = metric.path("schema").path("fields");
      if (!(values instanceof ArrayNode) || !(fields instanceof ArrayNode)
          || values.size() != fields.size()) {
        it.remove();
        changed = true;
        continue;
      }
      ArrayNode sealedValues = mapper.createArrayNode();
      for (int i = 0; i < values.size(); i++) {
        JsonNode v = values.get(i);
        sealedValues.add(v.isNull() ? v : TextNode.valueOf(
            sealer.seal(v.isTextual() ? v.asText() : v.toString())));
        if (fields.get(i) instanceof ObjectNode) {
          ((ObjectNode) fields.get(i)).put("type", "string");
        }
      }
      ((ObjectNode) metric).set("values", sealedValues);
      changed = true;
    }
    return changed;
  }

  static Set<String> fieldNames(ObjectNode node) {
    Set<String> names = new java.util.LinkedHashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}

package io.sparkseal.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkseal.TokenSealer;

/**
 * Plan text built from the plan tree ({@code sparkPlanInfo}), not from Spark's own text: a
 * line per node, drawn like Spark's tree strings, each the node's (already sealed) simple
 * string. Nothing of the original description is kept, so no literal, however it is shaped,
 * can reach it.
 */
public final class PlanRenderer {
  private PlanRenderer() {}

  /** The leading ASCII identifier of a plan node's name: the operator, never data. */
  static String head(String text) {
    int i = 0;
    while (i < text.length() && text.charAt(i) < 128
        && (Character.isLetter(text.charAt(i)) || i > 0 && Character.isDigit(text.charAt(i)))) {
      i++;
    }
    return text.substring(0, i);
  }

  /** {@code text} with its first word readable and the rest one token. */
  public static String headSealed(String text, TokenSealer sealer) {
    if (text.isEmpty() || TokenSealer.isSealed(text)) {
      return text;
    }
    String head = head(text);
    String rest = text.substring(head.length()).strip();
    if (head.isEmpty()) {
      return sealer.seal(text);
    }
    return rest.isEmpty() ? head : head + " " + sealer.sealText(rest);
  }

  /** The physical plan description for a (sealed) {@code sparkPlanInfo} tree. */
  public static String render(JsonNode info) {
    StringBuilder out = new StringBuilder("== Physical Plan ==\n");
    render(info, "", "", out);
    return out.toString();
  }

  private static void render(JsonNode node, String lead, String childLead, StringBuilder out) {
    out.append(lead).append(node.path("simpleString").asText("")).append('\n');
    JsonNode children = node.path("children");
    for (int i = 0; i < children.size(); i++) {
      boolean last = i == children.size() - 1;
      render(children.get(i), childLead + (last ? "+- " : ":- "),
          childLead + (last ? "   " : ":  "), out);
    }
  }
}

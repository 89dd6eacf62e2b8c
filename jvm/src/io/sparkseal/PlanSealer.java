package io.sparkseal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seals the literals in Spark plan strings while keeping their structure readable.
 *
 * <p>Catalyst prints literals unquoted ({@code (email#13 = bob@example.com)}), so they
 * cannot be told apart from other words reliably. The rule is conservative: node names,
 * tree lines, section headers and lists of column references stay readable; any
 * expression that contains something else -- a literal, a number, a function of them --
 * is sealed as one token.
 */
public final class PlanSealer {
  private static final Pattern ATTRIBUTE = Pattern.compile("[\\w$.`]+#\\d+L?");
  private static final Pattern SAFE_WORDS = Pattern.compile(
      "\\b(?:AND|OR|NOT|ASC|DESC|NULLS|FIRST|LAST|true|false|isnotnull|isnull|AS)\\b");
  // "Filter (...)", "Scan parquet [...]", "HashAggregate(keys=...)": the name runs up to the
  // first bracket; without one ("AdaptiveSparkPlan isFinalPlan=true") it is the first word.
  private static final Pattern NODE_BRACKET =
      Pattern.compile("^([A-Za-z][\\w ]*?)\\s*([\\[(].*)$", Pattern.DOTALL);
  private static final Pattern NODE_WORD = Pattern.compile("^([A-Za-z]\\w*)\\s+(.*)$", Pattern.DOTALL);
  private static final Pattern TREE_LINE = Pattern.compile("^[\\s:+\\-*|]*[A-Za-z][\\w ]* \\(\\d+\\)$");
  private static final Pattern DETAIL_HEADER =
      Pattern.compile("^\\(\\d+\\) [A-Za-z][\\w ]*(?: \\[codegen id : \\d+\\])?$");
  private static final Pattern TREE_PREFIX = Pattern.compile("^([+\\-*:| ]*)(.*)$");
  private static final Pattern KEY_VALUE = Pattern.compile("^(\\w[\\w ]*(?: \\[\\d+\\])?\\s?: )(.*)$");

  private PlanSealer() {}

  /** True if {@code text} holds nothing but column references, keywords and punctuation. */
  static boolean structural(String text) {
    String rest = SAFE_WORDS.matcher(ATTRIBUTE.matcher(text).replaceAll("")).replaceAll("");
    return !Rules.hasWord(rest);
  }

  /** One node's {@code simpleString}: the node name stays, a data-bearing rest is sealed. */
  public static String sealSimpleString(String simple, TokenSealer sealer) {
    if (simple == null || structural(simple) || TokenSealer.isSealed(simple)) {
      return simple;
    }
    Matcher m = NODE_BRACKET.matcher(simple);
    if (!m.matches()) {
      m = NODE_WORD.matcher(simple);
      if (!m.matches()) {
        return sealer.sealText(simple);
      }
    }
    String name = m.group(1).strip();
    String rest = simple.substring(m.start(2));
    return structural(rest) ? simple : name + " " + sealer.seal(rest.strip());
  }

  /** The formatted {@code EXPLAIN} output: line by line, with the same rule. */
  public static String sealPlanDescription(String plan, TokenSealer sealer) {
    if (plan == null || plan.isEmpty()) {
      return plan;
    }
    StringBuilder out = new StringBuilder(plan.length());
    for (String line : plan.split("\n", -1)) {
      if (out.length() > 0) {
        out.append('\n');
      }
      out.append(sealPlanLine(line, sealer));
    }
    return out.toString();
  }

  private static String sealPlanLine(String line, TokenSealer sealer) {
    String stripped = line.strip();
    if (stripped.isEmpty() || stripped.startsWith("==") || TREE_LINE.matcher(line).matches()
        || DETAIL_HEADER.matcher(stripped).matches() || structural(line)
        || TokenSealer.isSealed(line)) {
      return line;
    }
    Matcher kv = KEY_VALUE.matcher(line);
    if (kv.matches()) {
      return kv.group(1) + (structural(kv.group(2)) ? kv.group(2) : sealer.seal(kv.group(2)));
    }
    int indent = line.length() - line.stripLeading().length();
    String body = line.substring(indent);
    Matcher node = TREE_PREFIX.matcher(body);
    if (node.matches()) {
      return line.substring(0, indent) + node.group(1) + sealSimpleString(node.group(2), sealer);
    }
    return line.substring(0, indent) + sealer.seal(body);
  }

  /**
   * An RDD name. Spark names the RDD of a cached DataFrame after its plan
   * ({@code AdaptiveSparkPlan ...\n+- Project [concat(<literal>, ...)]}): a multi-line name
   * keeps its first word and is sealed; ordinary names ({@code MapPartitionsRDD}) stay.
   */
  public static String sealRddName(String name, TokenSealer sealer) {
    if (name == null || name.indexOf('\n') < 0 || TokenSealer.isSealed(name)) {
      return name;
    }
    Matcher m = NODE_WORD.matcher(name);
    return m.matches() ? m.group(1) + " " + sealer.seal(m.group(2)) : sealer.seal(name);
  }

  private static final java.util.Set<String> SAFE_METADATA =
      java.util.Set.of("Format", "Batched", "ReadSchema");

  /**
   * A scan node's metadata value (PushedFilters, DataFilters, Location, ...): sealed unless
   * it is structural or one of the keys that describe the format and schema only.
   */
  public static String sealMetadata(String key, String value, TokenSealer sealer) {
    if (value == null || SAFE_METADATA.contains(key) || structural(value)
        || TokenSealer.isSealed(value)) {
      return value;
    }
    return sealer.seal(value);
  }

  private static final Pattern CALL_SITE =
      Pattern.compile("^[\\w$.<>]+ at [\\w$./<>-]+:\\d+$");

  /** A job or query description: Spark's own call sites stay, anything else (SQL text) is sealed. */
  public static String sealDescription(String description, TokenSealer sealer) {
    if (description == null || CALL_SITE.matcher(description.strip()).matches()
        || TokenSealer.isSealed(description)) {
      return description;
    }
    return sealer.seal(description);
  }
}

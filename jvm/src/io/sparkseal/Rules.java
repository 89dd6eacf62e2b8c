package io.sparkseal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text rules shared with the Python side, from the one copy: {@code rules.json}, which the
 * build puts into this jar ({@code sparkseal/core/rules.json} in the Python package). If it is
 * missing, every text counts as data and no condition is readable (fail closed) and
 * {@link Status#problems()} says so.
 */
public final class Rules {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNode RULES = load("/io/sparkseal/rules.json");
  public static final boolean LOADED = RULES != null;
  public static final Pattern WORD = Pattern.compile(text("word_class", "[\\s\\S]"));
  public static final Pattern TOKEN = Pattern.compile(text("token", "(?!)"));
  public static final String REDACTION = text("redaction_regex", "[\\s\\S]");
  public static final String SUPPORTED_SPARK = text("supported_spark", "(none)");
  public static final String CONNECT_KEYED_RULE = text("connect_keyed_rule", "(none)");
  public static final String CONNECT_PROTECT_CONF = text("connect_protect_conf", "(none)");
  /** Keys a JSON log record may write as field names; without the rules, none. */
  public static final Pattern LOG_FIELD_NAME = Pattern.compile(text("log_field_name", "(?!)"));
  private static final Pattern CONDITION = Pattern.compile(text("condition_prefix", "(?!)"));
  private static volatile Map<String, Set<String>> conditions;

  private Rules() {}

  private static JsonNode load(String resource) {
    try (InputStream in = Rules.class.getResourceAsStream(resource)) {
      return in == null ? null : JSON.readTree(in);
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private static String text(String field, String failClosed) {
    return RULES != null && RULES.hasNonNull(field) ? RULES.get(field).asText() : failClosed;
  }

  /** True if {@code text} holds a letter or number: it could carry data. */
  public static boolean hasWord(String text) {
    return WORD.matcher(text).find();
  }

  /** Spark's error-condition registry (error/error-conditions.json): condition to sub-conditions. */
  static Map<String, Set<String>> conditions() {
    Map<String, Set<String>> c = conditions;
    if (c == null) {
      c = new HashMap<>();
      JsonNode registry = load("/error/error-conditions.json");
      if (registry != null) {
        for (Iterator<Map.Entry<String, JsonNode>> it = registry.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          Set<String> subs = new HashSet<>();
          e.getValue().path("subClass").fieldNames().forEachRemaining(subs::add);
          c.put(e.getKey(), subs);
        }
      }
      conditions = c;
    }
    return c;
  }

  /** True if {@code name} ({@code NAME} or {@code NAME.SUB}) is in Spark's registry. */
  public static boolean knownCondition(String name) {
    int dot = name.indexOf('.');
    Set<String> subs = conditions().get(dot < 0 ? name : name.substring(0, dot));
    return subs != null && (dot < 0 || subs.contains(name.substring(dot + 1)));
  }

  /** The leading {@code [CONDITION]} of {@code message} if Spark's registry knows it, else "". */
  public static String readableCondition(String message) {
    Matcher m = CONDITION.matcher(message);
    return m.find() && knownCondition(m.group(1)) ? m.group() : "";
  }
}

package io.sparkseal.discover;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

/**
 * One pass over a value for every entity: the UDF behind {@code sparkseal.discover}. It
 * returns the entities its pattern finds anywhere in the value and, prefixed with "=", those
 * the whole value is (by the pattern or by an entity's extra whole-value shape). Patterns come from Python ({@code sparkseal.discovery.entities}); only the
 * validators live here.
 */
public final class Detectors implements UDF1<String, String[]> {
  private final String[] names;
  private final Pattern[] patterns;
  private final Pattern[] wholes;

  Detectors(List<String> names, List<String> patterns, List<String> wholes) {
    int n = names.size();
    this.names = names.toArray(new String[0]);
    this.patterns = new Pattern[n];
    this.wholes = new Pattern[n];
    for (int i = 0; i < n; i++) {
      this.patterns[i] = Pattern.compile(patterns.get(i));
      this.wholes[i] = wholes.get(i) == null ? null : Pattern.compile(wholes.get(i));
    }
  }

  @Override
  public String[] call(String text) {
    if (text == null) {
      return null;
    }
    List<String> out = new ArrayList<>(2);
    String trimmed = text.strip();
    for (int i = 0; i < names.length; i++) {
      boolean patternWhole = patterns[i].matcher(trimmed).matches();
      boolean whole = (patternWhole || (wholes[i] != null && wholes[i].matcher(trimmed).matches()))
          && Validators.valid(names[i], trimmed);
      boolean found = patternWhole && whole;
      if (!found) {
        Matcher m = patterns[i].matcher(text);
        while (m.find()) {
          if (Validators.valid(names[i], m.group())) {
            found = true;
            break;
          }
        }
      }
      if (found) {
        out.add(names[i]);
      }
      if (whole) {
        out.add("=" + names[i]);
      }
    }
    return out.toArray(new String[0]);
  }

  /** Register the detectors as {@code function} in {@code spark}. */
  public static void register(
      SparkSession spark,
      String function,
      List<String> names,
      List<String> patterns,
      List<String> wholes) {
    spark.udf().register(
        function,
        new Detectors(names, patterns, wholes),
        DataTypes.createArrayType(DataTypes.StringType));
  }
}

package io.sparkseal.audit;

import io.sparkseal.TokenSealer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Column names as the audit trail and lineage show them. A name is readable when it is an
 * identifier (letters, digits and underscores, not starting with a digit, at most 64
 * characters): the allow-list. Any other name is sealed, because names can come from data
 * -- a pivot over emails, a CSV read without its header, JSON whose keys are values, an
 * unaliased expression with a literal. Types are rebuilt from the type tree with the same
 * rule for nested field names.
 *
 * <p>Table names and path segments follow the same allow-list by shape: a table name part is
 * readable when it is an identifier, a path segment when it is made of letters, digits and
 * {@code _ . -} (a directory or file named after a customer -- an email, a name with spaces --
 * is sealed); the user name and password of a URI's authority are sealed.
 */
final class Names {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
  private static final Pattern PATH_SEGMENT =
      Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_.\\-]{0,127}");

  private final TokenSealer sealer;

  Names(TokenSealer sealer) {
    this.sealer = sealer;
  }

  String column(String name) {
    return IDENTIFIER.matcher(name).matches() ? name : sealer.seal(name);
  }

  /** A catalog table's name: each part readable when an identifier, else sealed. */
  String table(Iterable<String> parts) {
    List<String> out = new ArrayList<>();
    for (String part : parts) {
      out.add(column(part));
    }
    return String.join(".", out);
  }

  /**
   * A path with every segment that is not path-shaped sealed; a Hive partition directory
   * ({@code key=value}) keeps a path-shaped key and always seals its value.
   */
  String path(String path) {
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/", -1)) {
      int eq = segment.indexOf('=');
      if (eq >= 0) {
        String key = segment.substring(0, eq);
        segments.add((PATH_SEGMENT.matcher(key).matches() ? key : sealer.seal(key)) + "="
            + sealer.seal(segment.substring(eq + 1)));
      } else {
        segments.add(segment.isEmpty() || PATH_SEGMENT.matcher(segment).matches()
            ? segment : sealer.seal(segment));
      }
    }
    return String.join("/", segments);
  }

  /** A URI authority with its user information's password (after the ':') sealed. */
  String authority(String authority) {
    int at = authority.lastIndexOf('@');
    if (at < 0) {
      return authority;
    }
    String user = authority.substring(0, at);
    int colon = user.indexOf(':');
    String kept = colon < 0 ? user
        : user.substring(0, colon + 1) + sealer.seal(user.substring(colon + 1));
    return kept + authority.substring(at);
  }

  String type(DataType type) {
    if (type instanceof StructType struct) {
      StringBuilder out = new StringBuilder("struct<");
      StructField[] fields = struct.fields();
      for (int i = 0; i < fields.length; i++) {
        out.append(i == 0 ? "" : ",").append(column(fields[i].name())).append(':')
            .append(type(fields[i].dataType()));
      }
      return out.append('>').toString();
    }
    if (type instanceof ArrayType array) {
      return "array<" + type(array.elementType()) + ">";
    }
    if (type instanceof MapType map) {
      return "map<" + type(map.keyType()) + "," + type(map.valueType()) + ">";
    }
    return type.catalogString();
  }
}

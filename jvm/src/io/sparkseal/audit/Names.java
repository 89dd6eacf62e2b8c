package io.sparkseal.audit;

import io.sparkseal.TokenSealer;
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
 */
final class Names {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

  private final TokenSealer sealer;

  Names(TokenSealer sealer) {
    this.sealer = sealer;
  }

  String column(String name) {
    return IDENTIFIER.matcher(name).matches() ? name : sealer.seal(name);
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

package io.sparkseal.connect;

import io.sparkseal.Rules;
import io.sparkseal.SparksealException;
import io.sparkseal.protect.Functions;
import java.util.Optional;
import org.apache.spark.SparkConf;
import org.apache.spark.connect.proto.Expression.UnresolvedFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.classic.ExpressionUtils;
import org.apache.spark.sql.classic.SparkSession;
import org.apache.spark.sql.connect.planner.SparkConnectPlanner;
import org.apache.spark.sql.connect.plugin.ExpressionPlugin;
import org.sparkproject.connect.protobuf.Any;
import org.sparkproject.connect.protobuf.InvalidProtocolBufferException;

/**
 * Keyed column rules for Spark Connect clients, applied with the <em>server's</em> secrets.
 *
 * <p>A client has no JVM to build {@link Functions}' columns in, and must not hold the pepper
 * or token key. It sends an expression extension ({@code Rules.CONNECT_KEYED_RULE}) holding a
 * call {@code hash(value)}, {@code tokenize(value, domain)} or {@code encrypt(value, domain)};
 * this plugin builds the same expression {@link Functions} builds for a classic session, with
 * the secret references {@code sparkseal connect-server} put in the server's conf. Opening
 * ({@code unprotect}) is never served: a client that can reach the server must not be able to
 * open tokens with the server's key.
 */
public final class KeyedRulesPlugin implements ExpressionPlugin {
  @Override
  public Optional<Expression> transform(byte[] message, SparkConnectPlanner planner) {
    Any any;
    try {
      any = Any.parseFrom(message);
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty();
    }
    if (!Rules.CONNECT_KEYED_RULE.equals(any.getTypeUrl())) {
      return Optional.empty(); // another plugin's extension
    }
    UnresolvedFunction call;
    try {
      call = org.apache.spark.connect.proto.Expression.parseFrom(any.getValue())
          .getUnresolvedFunction();
    } catch (InvalidProtocolBufferException e) {
      throw new SparksealException("SS208: a malformed sparkseal keyed rule was sent");
    }
    if (call.getArgumentsCount() < 1) {
      throw new SparksealException("SS208: a sparkseal keyed rule without its value");
    }
    SparkSession spark = planner.session();
    SparkConf conf = spark.sparkContext().conf();
    String prefix = Rules.CONNECT_PROTECT_CONF;
    Column value = ExpressionUtils.column(planner.transformExpression(call.getArguments(0)));
    String rule = call.getFunctionName();
    Column built;
    switch (rule) {
      case "hash":
        built = Functions.hash(spark, value, reference(conf, prefix + "pepper", "pepper"));
        break;
      case "tokenize":
        built = Functions.tokenize(
            spark, value, reference(conf, prefix + "token_key", "token_key"), domain(call));
        break;
      case "encrypt":
        built = Functions.encrypt(
            spark, value, reference(conf, prefix + "token_key", "token_key"), domain(call));
        break;
      default:
        throw new SparksealException(
            "SS208: the server applies hash, tokenize and encrypt only; it never opens values");
    }
    return Optional.of(spark.expression(built));
  }

  private static String domain(UnresolvedFunction call) {
    if (call.getArgumentsCount() < 2 || !call.getArguments(1).getLiteral().hasString()) {
      throw new SparksealException("SS208: a sparkseal keyed rule without its domain");
    }
    return call.getArguments(1).getLiteral().getString();
  }

  private static String reference(SparkConf conf, String key, String what) {
    if (!conf.contains(key)) {
      throw new SparksealException(
          "SS208: protect." + what + " is not set on this Spark Connect server: start it with"
              + " sparkseal connect-server and a policy whose [protect] section sets it");
    }
    return conf.get(key);
  }
}

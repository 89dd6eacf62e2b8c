package io.sparkseal.protect;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.classic.ExpressionUtils;
import org.apache.spark.util.LongAccumulator;

/**
 * sparkseal's keyed column functions as Catalyst expressions ({@link KeyedExpression}) that
 * are <em>not registered</em>: nothing is added to the session's function registry, so no
 * SQL -- a role view's user, a notebook sharing the session -- can call them by name to hash
 * a guess or open a token. The plan shows {@code sparkseal_hash(email#1)}, never a key.
 *
 * <p>Secrets are read here, from the policy's {@code env:}/{@code file:} reference (see {@link
 * Secrets}), never received as a py4j argument, and reach executors in broadcast variables
 * (RPC and disk encryption protect them on the way; they are never logged, never in the event
 * log, UI or a plan). One broadcast per reference and content, per SparkContext.
 *
 * <p>Every value {@link #open} cannot open (moved from another domain, tampered, another key,
 * a version 1 value where the policy does not allow those) becomes null and is counted in a
 * named accumulator per domain, {@code sparkseal.rejected_tokens[<domain>]}: in the Spark UI's
 * stage pages, and read by {@link #rejected}.
 */
public final class Functions {
  private Functions() {}

  static final String TOKEN_LABEL = "sparkseal-token-v2";
  static final String CIPHER_LABEL = "sparkseal-encrypt-v2";
  private static final String ACCUMULATOR_PREFIX = "sparkseal.rejected_tokens[";

  /** What one SparkContext holds: broadcast secrets and rejection counters. */
  private static final class State {
    final Map<String, byte[]> digests = new java.util.HashMap<>();
    final Map<String, Broadcast<byte[]>> secrets = new java.util.HashMap<>();
    final Map<String, LongAccumulator> rejected = new TreeMap<>();
  }

  private static final Map<SparkContext, State> STATES = new WeakHashMap<>();

  private static State state(SparkContext sc) {
    return STATES.computeIfAbsent(sc, k -> new State());
  }

  /** The secret behind {@code reference}, broadcast once per content (rotation: a new one). */
  private static synchronized Broadcast<byte[]> secret(
      SparkSession spark, String reference, String what) {
    byte[] value = Secrets.read(reference, what);
    byte[] digest = sha256(value);
    State s = state(spark.sparkContext());
    Broadcast<byte[]> known = s.secrets.get(reference);
    if (known != null && MessageDigest.isEqual(digest, s.digests.get(reference))) {
      return known;
    }
    Broadcast<byte[]> fresh =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(value);
    s.secrets.put(reference, fresh);
    s.digests.put(reference, digest);
    return fresh;
  }

  private static synchronized LongAccumulator counter(SparkSession spark, String domain) {
    SparkContext sc = spark.sparkContext();
    return state(sc).rejected.computeIfAbsent(
        domain, d -> sc.longAccumulator(ACCUMULATOR_PREFIX + d + "]"));
  }

  /** HMAC-SHA256 with the pepper, hex: Python's {@code hmac.new(pepper, v, sha256)}. */
  public static Column hash(SparkSession spark, Column value, String pepperRef) {
    Broadcast<byte[]> pepper = secret(spark, pepperRef, "protect.pepper");
    return column(new KeyedRule(KeyedRule.Kind.HASH, "sparkseal_hash", pepper, null, false, null),
        value);
  }

  /** A deterministic {@code tok2.} token bound to {@code domain}. */
  public static Column tokenize(SparkSession spark, Column value, String keyRef, String domain) {
    Keyed.domain(domain);
    Broadcast<byte[]> key = secret(spark, keyRef, "protect.token_key");
    return column(
        new KeyedRule(KeyedRule.Kind.TOKENIZE, "sparkseal_tokenize", key, domain, false, null),
        value);
  }

  /** A randomized {@code enc2.} ciphertext bound to {@code domain}. */
  public static Column encrypt(SparkSession spark, Column value, String keyRef, String domain) {
    Keyed.domain(domain);
    Broadcast<byte[]> key = secret(spark, keyRef, "protect.token_key");
    return column(
        new KeyedRule(KeyedRule.Kind.ENCRYPT, "sparkseal_encrypt", key, domain, false, null),
        value);
  }

  /**
   * {@code tok2.}/{@code enc2.} values of {@code domain} opened; with {@code acceptV1}, also
   * {@code tok1.}/{@code enc1.} values. Anything else given to it opens to null and is counted.
   * Call it only on values with one of those prefixes (Python's {@code unprotect} does).
   */
  public static Column open(
      SparkSession spark, Column value, String keyRef, String domain, boolean acceptV1) {
    Keyed.domain(domain);
    Broadcast<byte[]> key = secret(spark, keyRef, "protect.token_key");
    LongAccumulator rejected = counter(spark, domain);
    return column(new KeyedRule(
        KeyedRule.Kind.OPEN, "sparkseal_unprotect", key, domain, acceptV1, rejected), value);
  }

  /** Values {@link #open} refused so far in this SparkContext, by domain. */
  public static synchronized Map<String, Long> rejected(SparkSession spark) {
    Map<String, Long> out = new TreeMap<>();
    state(spark.sparkContext()).rejected.forEach((d, acc) -> out.put(d, acc.value()));
    return out;
  }

  /** The rule over {@code value}'s expression, as a column (no registry, no UDF). */
  private static Column column(KeyedRule rule, Column value) {
    Expression child = ExpressionUtils.expression(value);
    return ExpressionUtils.column(new KeyedExpression(child, rule));
  }

  private static byte[] sha256(byte[] value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

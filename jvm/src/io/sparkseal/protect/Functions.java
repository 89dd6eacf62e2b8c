package io.sparkseal.protect;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;
import javax.crypto.Mac;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.util.LongAccumulator;

/**
 * sparkseal's keyed column functions as column expressions built from <em>unregistered</em>
 * UDF objects: nothing is added to the session's function registry, so no SQL -- a role view's
 * user, a notebook sharing the session -- can call them by name to hash a guess or open a
 * token. The plan shows {@code sparkseal_hash(email#1)}, never a key.
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

  private enum Kind { HASH, TOKENIZE, ENCRYPT, OPEN }

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
    return column(new KeyedUdf(Kind.HASH, pepper, null, false, null), "sparkseal_hash", value);
  }

  /** A deterministic {@code tok2.} token bound to {@code domain}. */
  public static Column tokenize(SparkSession spark, Column value, String keyRef, String domain) {
    Keyed.domain(domain);
    Broadcast<byte[]> key = secret(spark, keyRef, "protect.token_key");
    KeyedUdf udf = new KeyedUdf(Kind.TOKENIZE, key, domain, false, null);
    return column(udf, "sparkseal_tokenize", value);
  }

  /** A randomized {@code enc2.} ciphertext bound to {@code domain}. */
  public static Column encrypt(SparkSession spark, Column value, String keyRef, String domain) {
    Keyed.domain(domain);
    Broadcast<byte[]> key = secret(spark, keyRef, "protect.token_key");
    KeyedUdf udf = new KeyedUdf(Kind.ENCRYPT, key, domain, false, null);
    return column(udf, "sparkseal_encrypt", value);
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
    KeyedUdf udf = new KeyedUdf(Kind.OPEN, key, domain, acceptV1, rejected);
    return column(udf, "sparkseal_unprotect", value);
  }

  /** Values {@link #open} refused so far in this SparkContext, by domain. */
  public static synchronized Map<String, Long> rejected(SparkSession spark) {
    Map<String, Long> out = new TreeMap<>();
    state(spark.sparkContext()).rejected.forEach((d, acc) -> out.put(d, acc.value()));
    return out;
  }

  private static Column column(KeyedUdf udf, String name, Column value) {
    UserDefinedFunction f =
        org.apache.spark.sql.functions.udf(udf, DataTypes.StringType).withName(name);
    return f.apply(value);
  }

  private static byte[] sha256(byte[] value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Per thread (a Mac and a Cipher are not thread-safe): keys derived from the secret. */
  private static final class Keys {
    final Mac mac;
    final Keyed.Aead token;
    final Keyed.Aead cipher;

    Keys(Kind kind, byte[] secret) {
      // "hash" is HMAC-SHA256 keyed with the pepper itself: equal to Python's
      // hmac.new(pepper, value, sha256). Tokens and ciphertexts use HKDF subkeys.
      this.mac = Keyed.hmac(kind == Kind.HASH ? secret : Keyed.subkey(secret, "tokenize-iv"));
      boolean tokens = kind == Kind.TOKENIZE || kind == Kind.OPEN;
      boolean ciphers = kind == Kind.ENCRYPT || kind == Kind.OPEN;
      this.token = tokens ? new Keyed.Aead(Keyed.subkey(secret, "tokenize-enc")) : null;
      this.cipher = ciphers ? new Keyed.Aead(Keyed.subkey(secret, "encrypt")) : null;
    }
  }

  private static final class KeyedUdf implements UDF1<String, String> {
    private final Kind kind;
    private final Broadcast<byte[]> secret;
    private final byte[] tokenContext;
    private final byte[] cipherContext;
    private final boolean acceptV1;
    private final LongAccumulator rejected;
    private transient volatile ThreadLocal<Keys> keys;

    KeyedUdf(Kind kind, Broadcast<byte[]> secret, String domain, boolean acceptV1,
        LongAccumulator rejected) {
      this.kind = kind;
      this.secret = secret;
      byte[] d = domain == null ? null : domain.getBytes(StandardCharsets.UTF_8);
      this.tokenContext = d == null ? null : Keyed.context(TOKEN_LABEL, d);
      this.cipherContext = d == null ? null : Keyed.context(CIPHER_LABEL, d);
      this.acceptV1 = acceptV1;
      this.rejected = rejected;
    }

    @Override
    public String call(String v) {
      if (v == null) {
        return null;
      }
      ThreadLocal<Keys> local = keys;
      if (local == null) { // first call in this task: derive from the broadcast secret
        keys = local = ThreadLocal.withInitial(() -> new Keys(kind, secret.value()));
      }
      Keys k = local.get();
      switch (kind) {
        case HASH:
          return Keyed.hash(k.mac, v);
        case TOKENIZE:
          return Keyed.tokenize(k.mac, k.token, tokenContext, v);
        case ENCRYPT:
          return Keyed.encrypt(k.cipher, cipherContext, v);
        default:
          String opened = open(k, v);
          if (opened == null) {
            rejected.add(1L);
          }
          return opened;
      }
    }

    private String open(Keys k, String v) {
      if (v.startsWith(Keyed.TOKEN_PREFIX)) {
        return Keyed.detokenize(k.mac, k.token, tokenContext, v);
      }
      if (v.startsWith(Keyed.CIPHER_PREFIX)) {
        return Keyed.decrypt(k.cipher, cipherContext, v);
      }
      if (acceptV1 && v.startsWith(Keyed.TOKEN_PREFIX_V1)) {
        return Keyed.detokenize(k.mac, k.token, null, v);
      }
      if (acceptV1 && v.startsWith(Keyed.CIPHER_PREFIX_V1)) {
        return Keyed.decrypt(k.cipher, null, v);
      }
      return null;
    }
  }
}

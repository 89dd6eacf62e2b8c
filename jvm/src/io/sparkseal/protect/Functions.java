package io.sparkseal.protect;

import javax.crypto.Mac;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

/**
 * Registers sparkseal's keyed column functions in a session. Keys travel to executors in
 * broadcast variables (RPC and disk encryption protect them on the way; they are never
 * logged, never in the event log or UI, never in a plan): the plan shows
 * {@code sparkseal_hash(email#1)}, not the key.
 */
public final class Functions {
  private Functions() {}

  private enum Kind { HASH, TOKENIZE, DETOKENIZE, ENCRYPT, DECRYPT }

  /** Per thread (a Mac and a Cipher are not thread-safe): keys derived from the broadcast secret. */
  private static final class Keys {
    final Mac mac;
    final Keyed.Aead aead;

    Keys(Kind kind, byte[] secret) {
      boolean random = kind == Kind.ENCRYPT || kind == Kind.DECRYPT;
      // "hash" is HMAC-SHA256 keyed with the pepper itself: equal to Python's
      // hmac.new(pepper, value, sha256). Tokens and ciphertexts use HKDF subkeys.
      this.mac = Keyed.hmac(kind == Kind.HASH ? secret : Keyed.subkey(secret, "tokenize-iv"));
      this.aead = new Keyed.Aead(Keyed.subkey(secret, random ? "encrypt" : "tokenize-enc"));
    }
  }

  private static final class KeyedUdf implements UDF1<String, String> {
    private final Kind kind;
    private final Broadcast<byte[]> secret;
    private transient volatile ThreadLocal<Keys> keys;

    KeyedUdf(Kind kind, Broadcast<byte[]> secret) {
      this.kind = kind;
      this.secret = secret;
    }

    @Override
    public String call(String v) {
      if (v == null) {
        return null;
      }
      ThreadLocal<Keys> local = keys;
      if (local == null) { // first call on this executor: derive from the broadcast secret
        keys = local = ThreadLocal.withInitial(() -> new Keys(kind, secret.value()));
      }
      Keys k = local.get();
      switch (kind) {
        case HASH:
          return Keyed.hash(k.mac, v);
        case TOKENIZE:
          return Keyed.tokenize(k.mac, k.aead, v);
        case DETOKENIZE:
          return Keyed.detokenize(k.mac, k.aead, v);
        case ENCRYPT:
          return Keyed.encrypt(k.aead, v);
        default:
          return Keyed.decrypt(k.aead, v);
      }
    }
  }

  /**
   * Register {@code <prefix>hash}, {@code tokenize}, {@code detokenize}, {@code encrypt} and
   * {@code decrypt}. A null key leaves that family unregistered (a rule that needs it fails
   * to resolve: fail closed).
   */
  public static void register(SparkSession spark, String prefix, byte[] pepper, byte[] tokenKey) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    if (pepper != null) {
      register(spark, prefix, Kind.HASH, jsc.broadcast(pepper));
    }
    if (tokenKey != null) {
      Broadcast<byte[]> key = jsc.broadcast(tokenKey);
      for (Kind kind : new Kind[] {Kind.TOKENIZE, Kind.DETOKENIZE, Kind.ENCRYPT, Kind.DECRYPT}) {
        register(spark, prefix, kind, key);
      }
    }
  }

  private static void register(SparkSession spark, String prefix, Kind kind, Broadcast<byte[]> key) {
    String name = prefix + kind.name().toLowerCase(java.util.Locale.ROOT);
    spark.udf().register(name, new KeyedUdf(kind, key), DataTypes.StringType);
  }
}

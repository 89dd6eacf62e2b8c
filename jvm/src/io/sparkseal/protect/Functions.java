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

  /** A UDF whose per-thread state (a Mac) is rebuilt on each executor from the broadcast key. */
  private abstract static class KeyedUdf implements UDF1<String, String> {
    final Broadcast<byte[]> key;
    private transient ThreadLocal<Mac> mac;

    KeyedUdf(Broadcast<byte[]> key) {
      this.key = key;
    }

    Mac mac(String label) {
      if (mac == null) {
        mac = ThreadLocal.withInitial(() -> Keyed.hmac(Keyed.subkey(key.value(), label)));
      }
      return mac.get();
    }

    byte[] subkey(String label) {
      return Keyed.subkey(key.value(), label);
    }
  }

  private static final class Hash extends KeyedUdf {
    Hash(Broadcast<byte[]> key) {
      super(key);
    }

    @Override
    public String call(String v) {
      // HMAC-SHA256 with the pepper itself as the key: equal to Python's hmac.new(pepper, v, sha256)
      if (v == null) {
        return null;
      }
      if (plainMac == null) {
        plainMac = ThreadLocal.withInitial(() -> Keyed.hmac(key.value()));
      }
      return Keyed.hash(plainMac.get(), v);
    }

    private transient ThreadLocal<Mac> plainMac;
  }

  private static final class Tokenize extends KeyedUdf {
    private transient byte[] enc;

    Tokenize(Broadcast<byte[]> key) {
      super(key);
    }

    @Override
    public String call(String v) {
      if (v == null) {
        return null;
      }
      if (enc == null) {
        enc = subkey("tokenize-enc");
      }
      return Keyed.tokenize(mac("tokenize-iv"), enc, v);
    }
  }

  private static final class Detokenize extends KeyedUdf {
    private transient byte[] enc;

    Detokenize(Broadcast<byte[]> key) {
      super(key);
    }

    @Override
    public String call(String v) {
      if (enc == null) {
        enc = subkey("tokenize-enc");
      }
      return Keyed.detokenize(mac("tokenize-iv"), enc, v);
    }
  }

  private static final class Encrypt extends KeyedUdf {
    private transient byte[] enc;

    Encrypt(Broadcast<byte[]> key) {
      super(key);
    }

    @Override
    public String call(String v) {
      if (v == null) {
        return null;
      }
      if (enc == null) {
        enc = subkey("encrypt");
      }
      return Keyed.encrypt(enc, v);
    }
  }

  private static final class Decrypt extends KeyedUdf {
    private transient byte[] enc;

    Decrypt(Broadcast<byte[]> key) {
      super(key);
    }

    @Override
    public String call(String v) {
      if (enc == null) {
        enc = subkey("encrypt");
      }
      return Keyed.decrypt(enc, v);
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
      spark.udf().register(prefix + "hash", new Hash(jsc.broadcast(pepper)), DataTypes.StringType);
    }
    if (tokenKey != null) {
      Broadcast<byte[]> key = jsc.broadcast(tokenKey);
      spark.udf().register(prefix + "tokenize", new Tokenize(key), DataTypes.StringType);
      spark.udf().register(prefix + "detokenize", new Detokenize(key), DataTypes.StringType);
      spark.udf().register(prefix + "encrypt", new Encrypt(key), DataTypes.StringType);
      spark.udf().register(prefix + "decrypt", new Decrypt(key), DataTypes.StringType);
    }
  }
}

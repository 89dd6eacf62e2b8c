package io.sparkseal.protect;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.LongAccumulator;

/**
 * One keyed rule as it runs on executors: a Spark string's UTF-8 bytes in, the protected
 * value's bytes out, with no {@code java.lang.String} in between (a UDF paid two conversions
 * per value). Holds the secret only as a broadcast reference: serializing a rule (into a task,
 * into generated code's references) writes the broadcast's id, never the key. Its {@link
 * #toString} is the rule's name, so nothing else can reach a plan or a log through it.
 *
 * <p>Public only because generated code calls {@link #apply}; it has no static method, so
 * SQL's {@code reflect()} cannot reach it, and it cannot be built outside this package.
 */
public final class KeyedRule implements Serializable {
  private static final long serialVersionUID = 1L;

  enum Kind { HASH, TOKENIZE, ENCRYPT, OPEN }

  private final Kind kind;
  private final String name;
  private final Broadcast<byte[]> secret;
  private final byte[] tokenContext;
  private final byte[] cipherContext;
  private final boolean acceptV1;
  private final LongAccumulator rejected;
  private transient volatile ThreadLocal<Keys> keys;

  KeyedRule(Kind kind, String name, Broadcast<byte[]> secret, String domain, boolean acceptV1,
      LongAccumulator rejected) {
    this.kind = kind;
    this.name = name;
    this.secret = secret;
    byte[] d = domain == null ? null : domain.getBytes(StandardCharsets.UTF_8);
    this.tokenContext = d == null ? null : Keyed.context(Functions.TOKEN_LABEL, d);
    this.cipherContext = d == null ? null : Keyed.context(Functions.CIPHER_LABEL, d);
    this.acceptV1 = acceptV1;
    this.rejected = rejected;
  }

  /** The rule's SQL-like name, e.g. {@code sparkseal_hash}: what plans show. */
  public String name() {
    return name;
  }

  /** Whether the rule can give null for a non-null value (opening refuses what it cannot open). */
  boolean mayRefuse() {
    return kind == Kind.OPEN;
  }

  @Override
  public String toString() {
    return name;
  }

  /** The protected (or opened) value of {@code value}; null for null, and for a refused open. */
  public UTF8String apply(UTF8String value) {
    if (value == null) {
      return null;
    }
    ThreadLocal<Keys> local = keys;
    if (local == null) { // first value in this task: derive keys from the broadcast secret
      keys = local = ThreadLocal.withInitial(() -> new Keys(kind, secret.value(), tokenContext));
    }
    Keys k = local.get();
    byte[] out;
    switch (kind) {
      case HASH:
        out = Keyed.hash(k.mac, utf8(value));
        break;
      case TOKENIZE:
        out = k.tokenize(tokenContext, utf8(value));
        break;
      case ENCRYPT:
        out = Keyed.encrypt(k.cipher, cipherContext, utf8(value));
        break;
      default:
        out = open(k, utf8(value));
        if (out == null) {
          rejected.add(1L);
          return null;
        }
        out = utf8(UTF8String.fromBytes(out)); // as a String would have: see utf8()
    }
    return UTF8String.fromBytes(out);
  }

  /**
   * The bytes a {@code java.lang.String} of {@code value} encodes to: the value's own bytes when
   * they are valid UTF-8 (always, for text Spark read or built), else the bytes after Java's
   * decoding (each malformed sequence becomes U+FFFD), which is what the UDF these rules
   * replaced computed on, so that output stays byte-identical.
   */
  private static byte[] utf8(UTF8String value) {
    return value.isValid()
        ? value.getBytes()
        : value.toString().getBytes(StandardCharsets.UTF_8);
  }

  private byte[] open(Keys k, byte[] v) {
    if (Keyed.isToken(v, false)) {
      return Keyed.detokenize(k.ivMac, k.token, tokenContext, v);
    }
    if (Keyed.isCipher(v, false)) {
      return Keyed.decrypt(k.cipher, cipherContext, v);
    }
    if (acceptV1 && Keyed.isToken(v, true)) {
      return Keyed.detokenize(k.mac, k.token, null, v);
    }
    if (acceptV1 && Keyed.isCipher(v, true)) {
      return Keyed.decrypt(k.cipher, null, v);
    }
    return null;
  }

  /** Per thread (a Mac and a Cipher are not thread-safe): keys derived from the secret. */
  private static final class Keys {
    /** The pepper's HMAC (hash), or k_iv's (tokens; version 1's IV, without a context). */
    final Keyed.Hmac mac;
    /** k_iv's HMAC with the domain's context absorbed: version 2 tokens' IVs. */
    final Keyed.Hmac ivMac;
    final Keyed.Aead token;
    final Keyed.Aead cipher;
    private byte[] lastPlain;
    private byte[] lastToken;

    Keys(Kind kind, byte[] secret, byte[] tokenContext) {
      // "hash" is HMAC-SHA256 keyed with the pepper itself: equal to Python's
      // hmac.new(pepper, value, sha256). Tokens and ciphertexts use HKDF subkeys.
      this.mac =
          new Keyed.Hmac(kind == Kind.HASH ? secret : Keyed.subkey(secret, "tokenize-iv"));
      this.ivMac = tokenContext == null ? null : Keyed.ivMac(mac, tokenContext);
      boolean tokens = kind == Kind.TOKENIZE || kind == Kind.OPEN;
      boolean ciphers = kind == Kind.ENCRYPT || kind == Kind.OPEN;
      this.token = tokens ? new Keyed.Aead(Keyed.subkey(secret, "tokenize-enc")) : null;
      this.cipher = ciphers ? new Keyed.Aead(Keyed.subkey(secret, "encrypt")) : null;
    }

    /**
     * Tokens are deterministic: a value equal to the previous one (sorted or low-cardinality
     * columns) gets the previous token without a MAC and a Cipher setup.
     */
    byte[] tokenize(byte[] context, byte[] plain) {
      if (lastPlain != null && Arrays.equals(plain, lastPlain)) {
        return lastToken;
      }
      byte[] out = Keyed.tokenize(ivMac, token, context, plain);
      lastPlain = plain.clone(); // plain may be the input row's own buffer
      lastToken = out;
      return out;
    }
  }
}

package io.sparkseal.protect;

import io.sparkseal.Hpke;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keyed column functions: HMAC-SHA256 ("hash"), deterministic AES-256-GCM with a
 * synthetic IV ("tokenize": equal inputs give equal tokens, so columns still join), and
 * randomized AES-256-GCM ("encrypt"), on UTF-8 bytes in and ASCII bytes out (Spark's own
 * string representation: no {@code java.lang.String} per value). Keys arrive as bytes, never
 * as SQL literals: the functions run inside unregistered expressions whose rule holds them in
 * a broadcast (see {@link KeyedExpression}), so no key appears in a query plan and no SQL can
 * call them by name.
 *
 * <p>Tokens ({@code tok2.}) and ciphertexts ({@code enc2.}) are bound to a domain: the
 * domain is in the AES-GCM associated data and, for tokens, in the synthetic IV's MAC input,
 * so a value moved to a column of another domain does not open. Version 1 values
 * ({@code tok1.}, {@code enc1.}, no domain) are only opened, and only where the policy
 * allows it.
 */
final class Keyed {
  static final String TOKEN_PREFIX = "tok2.";
  static final String CIPHER_PREFIX = "enc2.";
  static final String TOKEN_PREFIX_V1 = "tok1.";
  static final String CIPHER_PREFIX_V1 = "enc1.";
  private static final byte[] TOKEN_AAD_V1 = ascii("sparkseal-token-v1");
  private static final byte[] CIPHER_AAD_V1 = ascii("sparkseal-encrypt-v1");
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private Keyed() {}

  /**
   * HMAC-SHA256 with the key's padded blocks hashed once: each value clones the two SHA-256
   * states instead of hashing {@code K xor ipad} and {@code K xor opad} again (two of an HMAC's
   * four compressions for a short value), and a fixed prefix of the message (a token's
   * context) can be absorbed once too. Same output as {@code Mac("HmacSHA256")} (RFC 2104; a
   * key longer than the block is hashed first). Not thread-safe in use: one per thread.
   */
  static final class Hmac {
    private static final int BLOCK = 64;
    private final MessageDigest inner;
    private final MessageDigest outer;

    Hmac(byte[] key) {
      byte[] k = key.length > BLOCK ? sha256().digest(key) : key;
      byte[] ipad = new byte[BLOCK];
      byte[] opad = new byte[BLOCK];
      for (int i = 0; i < BLOCK; i++) {
        byte b = i < k.length ? k[i] : 0;
        ipad[i] = (byte) (b ^ 0x36);
        opad[i] = (byte) (b ^ 0x5c);
      }
      this.inner = sha256();
      this.inner.update(ipad);
      this.outer = sha256();
      this.outer.update(opad);
    }

    private Hmac(MessageDigest inner, MessageDigest outer) {
      this.inner = inner;
      this.outer = outer;
    }

    /** This HMAC over {@code prefix || message}, the prefix hashed once, here. */
    Hmac withPrefix(byte[] prefix) {
      MessageDigest in = copy(inner);
      in.update(prefix);
      return new Hmac(in, outer);
    }

    byte[] doFinal(byte[] message) {
      MessageDigest in = copy(inner);
      in.update(message);
      MessageDigest out = copy(outer);
      out.update(in.digest());
      return out.digest();
    }

    private static MessageDigest copy(MessageDigest md) {
      try {
        return (MessageDigest) md.clone();
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException(e);
      }
    }

    private static MessageDigest sha256() {
      try {
        return MessageDigest.getInstance("SHA-256");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** HKDF-SHA256(key, no salt, info = label), 32 bytes: one secret, independent subkeys. */
  static byte[] subkey(byte[] key, String label) {
    try {
      byte[] prk = Hpke.hkdfExtract(new byte[0], key);
      return Hpke.hkdfExpand(prk, label.getBytes(StandardCharsets.US_ASCII), 32);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final byte[] HEX = ascii("0123456789abcdef");
  private static final byte[] B64_ALPHABET =
      ascii("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
  private static final byte[] TOKEN_PREFIX_BYTES = ascii(TOKEN_PREFIX);
  private static final byte[] CIPHER_PREFIX_BYTES = ascii(CIPHER_PREFIX);
  private static final byte[] TOKEN_PREFIX_V1_BYTES = ascii(TOKEN_PREFIX_V1);
  private static final byte[] CIPHER_PREFIX_V1_BYTES = ascii(CIPHER_PREFIX_V1);

  /** Lower-case hex of {@code bytes}, as ASCII bytes (Spark strings are UTF-8 bytes). */
  static byte[] hex(byte[] bytes) {
    byte[] out = new byte[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bytes[i] & 0xf];
    }
    return out;
  }

  /** HMAC-SHA256 of the UTF-8 bytes, hex. */
  static byte[] hash(Hmac mac, byte[] plain) {
    return hex(mac.doFinal(plain));
  }

  /**
   * {@code prefix} then unpadded base64url of {@code raw}, in one array: the token's bytes,
   * written once (no String, no second copy for the prefix).
   */
  static byte[] prefixedBase64(byte[] prefix, byte[] raw) {
    int full = raw.length / 3;
    int rest = raw.length - full * 3;
    byte[] out = new byte[prefix.length + full * 4 + (rest == 0 ? 0 : rest + 1)];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    int o = prefix.length;
    int i = 0;
    for (int n = 0; n < full; n++, i += 3) {
      int bits = (raw[i] & 0xff) << 16 | (raw[i + 1] & 0xff) << 8 | (raw[i + 2] & 0xff);
      out[o++] = B64_ALPHABET[bits >>> 18];
      out[o++] = B64_ALPHABET[(bits >>> 12) & 0x3f];
      out[o++] = B64_ALPHABET[(bits >>> 6) & 0x3f];
      out[o++] = B64_ALPHABET[bits & 0x3f];
    }
    if (rest == 1) {
      int bits = (raw[i] & 0xff) << 16;
      out[o++] = B64_ALPHABET[bits >>> 18];
      out[o] = B64_ALPHABET[(bits >>> 12) & 0x3f];
    } else if (rest == 2) {
      int bits = (raw[i] & 0xff) << 16 | (raw[i + 1] & 0xff) << 8;
      out[o++] = B64_ALPHABET[bits >>> 18];
      out[o++] = B64_ALPHABET[(bits >>> 12) & 0x3f];
      out[o] = B64_ALPHABET[(bits >>> 6) & 0x3f];
    }
    return out;
  }

  /**
   * One AES-256-GCM key and its Cipher, for one thread (a Cipher is not thread-safe). Keeping
   * a Cipher per key lets the JDK reuse its key schedule from value to value.
   */
  static final class Aead {
    private final SecretKeySpec key;
    private final Cipher cipher;
    private byte[] lastIv;
    private final int ivHigh;
    private long ivLow;

    Aead(byte[] key) {
      this.key = new SecretKeySpec(key, "AES");
      this.cipher = newGcm();
      ByteBuffer start = ByteBuffer.wrap(new byte[12]);
      new SecureRandom().nextBytes(start.array());
      this.ivHigh = start.getInt();
      this.ivLow = start.getLong();
    }

    /**
     * A fresh IV for randomized encryption: a random 96-bit start, then counting up. GCM needs
     * IVs that never repeat under one key, not unpredictable ones; two instances collide only
     * if their ranges overlap (negligible). A SecureRandom draw per value would cost as much as
     * the encryption: the JDK's NativePRNG takes a process-wide lock per call.
     */
    byte[] nextIv() {
      return ByteBuffer.allocate(12).putInt(ivHigh).putLong(ivLow++).array();
    }

    private static Cipher newGcm() {
      try {
        return Cipher.getInstance("AES/GCM/NoPadding");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    /** {@code iv || AES-GCM(plain) || tag} in one array (no concatenation afterwards). */
    byte[] seal(byte[] iv, byte[] aad, byte[] plain) {
      // A token's IV repeats for a repeated value by design, and the JDK refuses to init a
      // Cipher for encryption with the key and IV of its previous encryption: that case
      // gets a fresh Cipher.
      boolean repeated = Arrays.equals(iv, lastIv);
      Cipher c = repeated ? newGcm() : cipher;
      lastIv = iv;
      try {
        c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
        c.updateAAD(aad);
        byte[] out = Arrays.copyOf(iv, 12 + plain.length + 16);
        c.doFinal(plain, 0, plain.length, out, 12);
        return out;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    /** The plaintext of {@code raw = iv || ct || tag}, or null (wrong key, tampered). */
    byte[] open(byte[] aad, byte[] raw) {
      try {
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, raw, 0, 12));
        cipher.updateAAD(aad);
        return cipher.doFinal(raw, 12, raw.length - 12);
      } catch (GeneralSecurityException e) {
        return null; // wrong key or tampered: no plaintext
      }
    }
  }

  /**
   * The context a value is bound to: {@code label || 0x00 || utf8(domain)}. The domain holds
   * no NUL (checked by the policy and by {@link #domain}), so the context is unambiguous.
   */
  static byte[] context(String label, byte[] domain) {
    byte[] l = ascii(label);
    byte[] out = Arrays.copyOf(l, l.length + 1 + domain.length);
    System.arraycopy(domain, 0, out, l.length + 1, domain.length);
    return out;
  }

  /** A domain's UTF-8 bytes; refuses what the policy refuses (empty, too long, controls). */
  static byte[] domain(String domain) {
    if (domain == null || domain.isEmpty() || domain.codePointCount(0, domain.length()) > 1024
        || domain.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException(
          "SS207: a token domain is 1-1024 characters without control characters");
    }
    return domain.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The HMAC a token's synthetic IV is cut from: {@code HMAC(k_iv, context || 0x00 || value)},
   * or {@code HMAC(k_iv, value)} for version 1 ({@code context} null).
   */
  static Hmac ivMac(Hmac kIv, byte[] context) {
    if (context == null) {
      return kIv;
    }
    byte[] prefix = Arrays.copyOf(context, context.length + 1); // context || 0x00
    return kIv.withPrefix(prefix);
  }

  /** Deterministic, bound to {@code context}; the IV is checked again on the way back. */
  static byte[] tokenize(Hmac ivMac, Aead aead, byte[] context, byte[] plain) {
    byte[] iv = Arrays.copyOf(ivMac.doFinal(plain), 12);
    return prefixedBase64(TOKEN_PREFIX_BYTES, aead.seal(iv, context, plain));
  }

  /**
   * {@code tok2.} under {@code context}, or {@code tok1.} if {@code context} is null; {@code
   * ivMac} is {@link #ivMac} of the same context.
   */
  static byte[] detokenize(Hmac ivMac, Aead aead, byte[] context, byte[] token) {
    boolean v1 = context == null;
    byte[] raw = decode(token, v1 ? TOKEN_PREFIX_V1_BYTES : TOKEN_PREFIX_BYTES);
    if (raw == null) {
      return null;
    }
    byte[] plain = aead.open(v1 ? TOKEN_AAD_V1 : context, raw);
    if (plain == null || !Arrays.equals(raw, 0, 12, ivMac.doFinal(plain), 0, 12)) {
      return null;
    }
    return plain;
  }

  static byte[] encrypt(Aead aead, byte[] context, byte[] plain) {
    return prefixedBase64(CIPHER_PREFIX_BYTES, aead.seal(aead.nextIv(), context, plain));
  }

  /** {@code enc2.} under {@code context}, or {@code enc1.} if {@code context} is null. */
  static byte[] decrypt(Aead aead, byte[] context, byte[] cipherText) {
    boolean v1 = context == null;
    byte[] raw = decode(cipherText, v1 ? CIPHER_PREFIX_V1_BYTES : CIPHER_PREFIX_BYTES);
    return raw == null ? null : aead.open(v1 ? CIPHER_AAD_V1 : context, raw);
  }

  static boolean startsWith(byte[] text, byte[] prefix) {
    return text.length >= prefix.length
        && Arrays.equals(text, 0, prefix.length, prefix, 0, prefix.length);
  }

  static boolean isToken(byte[] text, boolean v1) {
    return startsWith(text, v1 ? TOKEN_PREFIX_V1_BYTES : TOKEN_PREFIX_BYTES);
  }

  static boolean isCipher(byte[] text, boolean v1) {
    return startsWith(text, v1 ? CIPHER_PREFIX_V1_BYTES : CIPHER_PREFIX_BYTES);
  }

  /** The bytes after {@code prefix}: canonical unpadded base64url of at least IV + tag. */
  private static byte[] decode(byte[] text, byte[] prefix) {
    if (text == null || !startsWith(text, prefix)) {
      return null;
    }
    byte[] body = Arrays.copyOfRange(text, prefix.length, text.length);
    try {
      byte[] raw = B64D.decode(body);
      // One value, one spelling: padding or stray low bits would give a second string for the
      // same token (and tokens are compared as strings when columns join).
      return raw.length >= 12 + 16
          && Arrays.equals(prefixedBase64(prefix, raw), text) ? raw : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}

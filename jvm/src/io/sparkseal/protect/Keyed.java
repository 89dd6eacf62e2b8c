package io.sparkseal.protect;

import io.sparkseal.Hpke;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keyed column functions: HMAC-SHA256 ("hash"), deterministic AES-256-GCM with a
 * synthetic IV ("tokenize": equal inputs give equal tokens, so columns still join), and
 * randomized AES-256-GCM ("encrypt"). Keys arrive as bytes, never as SQL literals: the
 * functions run as unregistered JVM UDF objects that hold them (see {@link Functions}), so no
 * key appears in a query plan and no SQL can call them by name.
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
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private Keyed() {}

  static Mac hmac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
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

  static String hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(bytes);
  }

  static String hash(Mac mac, String value) {
    return hex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
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
        return c.doFinal(plain);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    byte[] open(byte[] iv, byte[] aad, byte[] sealed) {
      try {
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, iv));
        cipher.updateAAD(aad);
        return cipher.doFinal(sealed);
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

  /** The synthetic IV: HMAC(k_iv, context || 0x00 || value)[0..12). */
  private static byte[] syntheticIv(Mac mac, byte[] context, byte[] plain) {
    if (context != null) {
      mac.update(context);
      mac.update((byte) 0);
    }
    return Arrays.copyOf(mac.doFinal(plain), 12);
  }

  /** Deterministic, bound to {@code context}; the IV is checked again on the way back. */
  static String tokenize(Mac mac, Aead aead, byte[] context, String value) {
    byte[] plain = value.getBytes(StandardCharsets.UTF_8);
    byte[] iv = syntheticIv(mac, context, plain);
    byte[] ct = aead.seal(iv, context, plain);
    return TOKEN_PREFIX + B64.encodeToString(concat(iv, ct));
  }

  /** {@code tok2.} under {@code context}, or {@code tok1.} if {@code context} is null. */
  static String detokenize(Mac mac, Aead aead, byte[] context, String token) {
    boolean v1 = context == null;
    byte[] raw = decode(token, v1 ? TOKEN_PREFIX_V1 : TOKEN_PREFIX);
    if (raw == null) {
      return null;
    }
    byte[] iv = Arrays.copyOf(raw, 12);
    byte[] aad = v1 ? TOKEN_AAD_V1 : context;
    byte[] plain = aead.open(iv, aad, Arrays.copyOfRange(raw, 12, raw.length));
    if (plain == null || !Arrays.equals(iv, syntheticIv(mac, context, plain))) {
      return null;
    }
    return new String(plain, StandardCharsets.UTF_8);
  }

  static String encrypt(Aead aead, byte[] context, String value) {
    byte[] iv = aead.nextIv();
    byte[] ct = aead.seal(iv, context, value.getBytes(StandardCharsets.UTF_8));
    return CIPHER_PREFIX + B64.encodeToString(concat(iv, ct));
  }

  /** {@code enc2.} under {@code context}, or {@code enc1.} if {@code context} is null. */
  static String decrypt(Aead aead, byte[] context, String cipherText) {
    boolean v1 = context == null;
    byte[] raw = decode(cipherText, v1 ? CIPHER_PREFIX_V1 : CIPHER_PREFIX);
    if (raw == null) {
      return null;
    }
    byte[] aad = v1 ? CIPHER_AAD_V1 : context;
    byte[] plain = aead.open(Arrays.copyOf(raw, 12), aad, Arrays.copyOfRange(raw, 12, raw.length));
    return plain == null ? null : new String(plain, StandardCharsets.UTF_8);
  }

  /** The bytes after {@code prefix}: canonical unpadded base64url of at least IV + tag. */
  private static byte[] decode(String text, String prefix) {
    if (text == null || !text.startsWith(prefix)) {
      return null;
    }
    String body = text.substring(prefix.length());
    try {
      byte[] raw = B64D.decode(body);
      // One value, one spelling: padding or stray low bits would give a second string for the
      // same token (and tokens are compared as strings when columns join).
      return raw.length >= 12 + 16 && B64.encodeToString(raw).equals(body) ? raw : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}

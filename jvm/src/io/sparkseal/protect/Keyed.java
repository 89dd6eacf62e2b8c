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
 * functions run as JVM UDFs that hold them (see {@link Functions}), so no key appears in a
 * query plan.
 */
final class Keyed {
  static final String TOKEN_PREFIX = "tok1.";
  static final String CIPHER_PREFIX = "enc1.";
  private static final byte[] TOKEN_AAD = "sparkseal-token-v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CIPHER_AAD = "sparkseal-encrypt-v1".getBytes(StandardCharsets.US_ASCII);
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

  /** Deterministic: IV = HMAC(macKey, value)[0..12), checked again on the way back. */
  static String tokenize(Mac mac, Aead aead, String value) {
    byte[] plain = value.getBytes(StandardCharsets.UTF_8);
    byte[] iv = Arrays.copyOf(mac.doFinal(plain), 12);
    byte[] ct = aead.seal(iv, TOKEN_AAD, plain);
    return TOKEN_PREFIX + B64.encodeToString(concat(iv, ct));
  }

  static String detokenize(Mac mac, Aead aead, String token) {
    byte[] raw = decode(token, TOKEN_PREFIX);
    if (raw == null) {
      return null;
    }
    byte[] iv = Arrays.copyOf(raw, 12);
    byte[] plain = aead.open(iv, TOKEN_AAD, Arrays.copyOfRange(raw, 12, raw.length));
    if (plain == null || !Arrays.equals(iv, Arrays.copyOf(mac.doFinal(plain), 12))) {
      return null;
    }
    return new String(plain, StandardCharsets.UTF_8);
  }

  static String encrypt(Aead aead, String value) {
    byte[] iv = aead.nextIv();
    byte[] ct = aead.seal(iv, CIPHER_AAD, value.getBytes(StandardCharsets.UTF_8));
    return CIPHER_PREFIX + B64.encodeToString(concat(iv, ct));
  }

  static String decrypt(Aead aead, String cipherText) {
    byte[] raw = decode(cipherText, CIPHER_PREFIX);
    if (raw == null) {
      return null;
    }
    byte[] plain = aead.open(Arrays.copyOf(raw, 12), CIPHER_AAD, Arrays.copyOfRange(raw, 12, raw.length));
    return plain == null ? null : new String(plain, StandardCharsets.UTF_8);
  }

  private static byte[] decode(String text, String prefix) {
    if (text == null || !text.startsWith(prefix)) {
      return null;
    }
    try {
      byte[] raw = B64D.decode(text.substring(prefix.length()));
      return raw.length >= 12 + 16 ? raw : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}

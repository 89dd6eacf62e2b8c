package io.sparkseal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The one-line key format shared with the Python side ({@code docs/token-format.md}):
 * {@code sparkseal-public-key-v1:X:<kid>:<base64url>}. The JVM side seals with suite X
 * (DHKEM(X25519)) only.
 */
public final class SealingKeys {
  public static final String PUBLIC_PREFIX = "sparkseal-public-key-v1";
  public static final String PRIVATE_PREFIX = "sparkseal-private-key-v1";

  private SealingKeys() {}

  /** Raw 32-byte X25519 public key from its text; throws with a message that names the problem. */
  public static byte[] parsePublic(String text) throws GeneralSecurityException {
    byte[] raw = parse(text, PUBLIC_PREFIX);
    if (!keyId(raw).equals(fields(text)[2])) {
      throw new GeneralSecurityException("key id does not match the key material (tampered?)");
    }
    Hpke.publicKey(raw); // validates
    if (Hpke.isLowOrder(raw)) {
      throw new GeneralSecurityException("SS002: the public key is a low-order X25519 point;"
          + " every token sealed to it could be opened by anyone (generate a new pair)");
    }
    return raw;
  }

  /** Raw 32-byte X25519 private key from its text (tests and parity checks only). */
  public static byte[] parsePrivate(String text) throws GeneralSecurityException {
    byte[] raw = parse(text, PRIVATE_PREFIX);
    if (!keyId(Hpke.publicFromPrivate(raw)).equals(fields(text)[2])) {
      throw new GeneralSecurityException("key id does not match the key material (tampered?)");
    }
    return raw;
  }

  private static String[] fields(String text) {
    for (String line : text.strip().split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        return line.strip().split(":");
      }
    }
    return new String[0];
  }

  private static byte[] parse(String text, String prefix) throws GeneralSecurityException {
    String[] f = fields(text == null ? "" : text);
    if (f.length != 4 || !f[0].equals(prefix)) {
      throw new GeneralSecurityException("not a sparkseal key (expected '" + prefix + ":X:<kid>:...')");
    }
    if (!f[1].equals("X")) {
      throw new GeneralSecurityException(
          "suite " + f[1] + " is not supported on the JVM side; generate an x25519 key");
    }
    byte[] raw = decodeCanonical(f[3]);
    if (raw == null) {
      throw new GeneralSecurityException("key material is not valid base64url");
    }
    if (raw.length != 32) {
      throw new GeneralSecurityException("key has " + raw.length + " bytes, expected 32");
    }
    return raw;
  }

  /**
   * Strict, canonical base64url without padding, or null: one byte string has exactly one
   * text form, as on the Python side.
   */
  public static byte[] decodeCanonical(String text) {
    if (text == null || text.isEmpty() || text.length() % 4 == 1 || text.indexOf('=') >= 0) {
      return null;
    }
    try {
      byte[] raw = Base64.getUrlDecoder().decode(text);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(raw).equals(text) ? raw : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** First 8 bytes of SHA-256("sparkseal-kid-v1" || "X" || public key), hex. */
  public static String keyId(byte[] publicRaw) throws GeneralSecurityException {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update("sparkseal-kid-v1".getBytes(StandardCharsets.US_ASCII));
    md.update((byte) 'X');
    md.update(publicRaw);
    byte[] digest = md.digest();
    return HexFormat.of().formatHex(digest, 0, 8);
  }
}

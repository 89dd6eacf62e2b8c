package io.sparkseal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seals text into {@code [SEALED:1:X:<kid>:<payload>]} tokens, the format of the Python
 * side. Holds only a public key. A withholding sealer (no or bad key) replaces every text by
 * a fixed placeholder instead: fail closed.
 */
public final class TokenSealer {
  public static final Pattern TOKEN =
      Pattern.compile("\\[SEALED:1:([XH]):([0-9a-f]{16}):([A-Za-z0-9_-]+)\\]");
  public static final Pattern TOKEN_LIKE = Pattern.compile("\\[SEALED:[A-Za-z0-9_:-]*\\]?");
  private static final Pattern HAS_WORD = Pattern.compile("[\\p{IsAlphabetic}\\p{IsDigit}]");
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final byte[] publicRaw;
  private final String prefix;
  private final byte[] info;
  private final String placeholder;

  private TokenSealer(byte[] publicRaw, String kid, String placeholder) {
    this.publicRaw = publicRaw;
    this.prefix = kid == null ? null : "[SEALED:1:X:" + kid + ":";
    this.info = kid == null ? null : ("sparkseal-token-v1:X:" + kid).getBytes(StandardCharsets.US_ASCII);
    this.placeholder = placeholder;
  }

  public static TokenSealer forPublicKey(String publicKeyText) throws GeneralSecurityException {
    byte[] raw = SealingKeys.parsePublic(publicKeyText);
    return new TokenSealer(raw, SealingKeys.keyId(raw), null);
  }

  public static TokenSealer withholding(String reason) {
    return new TokenSealer(null, null, "[WITHHELD by sparkseal: " + reason + "]");
  }

  public boolean isWithholding() {
    return placeholder != null;
  }

  /** One token holding {@code text}. */
  public String seal(String text) {
    if (placeholder != null) {
      return placeholder;
    }
    try {
      byte[] sealed = Hpke.seal(publicRaw, info, text.getBytes(StandardCharsets.UTF_8));
      return prefix + B64.encodeToString(sealed) + "]";
    } catch (GeneralSecurityException e) {
      return "[WITHHELD by sparkseal: sealing failed: " + e.getClass().getSimpleName() + "]";
    }
  }

  /** Seal {@code text} around the tokens already in it; text without letters or digits stays. */
  public String sealText(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    Matcher m = TOKEN.matcher(text);
    int pos = 0;
    while (m.find()) {
      out.append(sealSegment(text.substring(pos, m.start()))).append(m.group());
      pos = m.end();
    }
    out.append(sealSegment(text.substring(pos)));
    return out.toString();
  }

  /** True if nothing in {@code text} is left to seal (only tokens and wordless glue). */
  public static boolean isSealed(String text) {
    if (text == null) {
      return true;
    }
    return !HAS_WORD.matcher(TOKEN.matcher(text).replaceAll("")).find();
  }

  private String sealSegment(String segment) {
    return HAS_WORD.matcher(segment).find() ? seal(segment) : segment;
  }

  /** Open a token (tests and parity checks; the JVM side never holds private keys in production). */
  public static String open(String privateKeyText, String token) throws GeneralSecurityException {
    Matcher m = TOKEN.matcher(token);
    if (!m.matches() || !m.group(1).equals("X")) {
      throw new GeneralSecurityException("not a complete suite-X token");
    }
    byte[] sk = SealingKeys.parsePrivate(privateKeyText);
    String kid = SealingKeys.keyId(Hpke.publicFromPrivate(sk));
    if (!kid.equals(m.group(2))) {
      throw new GeneralSecurityException("no private key with key id " + m.group(2));
    }
    byte[] info = ("sparkseal-token-v1:X:" + kid).getBytes(StandardCharsets.US_ASCII);
    byte[] ct = SealingKeys.decodeCanonical(m.group(3));
    if (ct == null) {
      throw new GeneralSecurityException("token payload is not valid base64url");
    }
    try {
      return new String(Hpke.open(sk, info, ct), StandardCharsets.UTF_8);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new GeneralSecurityException("token failed authentication (corrupted or tampered)");
    }
  }
}

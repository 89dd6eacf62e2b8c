package io.sparkseal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seals text into {@code [SEALED:2:X:<kid>:<payload>]} tokens, the format of the Python
 * side ({@code docs/token-format.md}): the plaintext carries an authenticated context
 * (application id, producer "jvm", time). Holds only a public key. A withholding sealer (no
 * or bad key) replaces every text by a fixed placeholder instead: fail closed.
 */
public final class TokenSealer {
  public static final Pattern TOKEN = Rules.TOKEN;
  static final String VERSION = "2";
  public static final Pattern TOKEN_LIKE = Pattern.compile("\\[SEALED:[A-Za-z0-9_:-]*\\]?");
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final byte[] publicRaw;
  private final String prefix;
  private final byte[] info;
  private final String placeholder;

  private TokenSealer(byte[] publicRaw, String kid, String placeholder) {
    this.publicRaw = publicRaw;
    this.prefix = kid == null ? null : "[SEALED:" + VERSION + ":X:" + kid + ":";
    this.info = kid == null ? null : info(VERSION, kid);
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
      byte[] plain = TokenContext.now().prepend(text.getBytes(StandardCharsets.UTF_8));
      return prefix + B64.encodeToString(Hpke.seal(publicRaw, info, plain)) + "]";
    } catch (GeneralSecurityException | RuntimeException e) {
      return "[WITHHELD by sparkseal: SS003 sealing failed: " + e.getClass().getSimpleName() + "]";
    }
  }

  private static byte[] info(String version, String kid) {
    return ("sparkseal-token-v" + version + ":X:" + kid).getBytes(StandardCharsets.US_ASCII);
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
    return !Rules.hasWord(TOKEN.matcher(text).replaceAll(""));
  }

  private String sealSegment(String segment) {
    return Rules.hasWord(segment) ? seal(segment) : segment;
  }

  /**
   * Open a token to its text; a version-2 token's context is returned in {@code context[0]}
   * if given (tests and parity checks; the JVM side never holds private keys in production).
   */
  public static String open(String privateKeyText, String token, TokenContext[] context)
      throws GeneralSecurityException {
    Matcher m = TOKEN.matcher(token);
    if (!m.matches() || !m.group(2).equals("X")) {
      throw new GeneralSecurityException("not a complete suite-X token");
    }
    byte[] sk = SealingKeys.parsePrivate(privateKeyText);
    String kid = SealingKeys.keyId(Hpke.publicFromPrivate(sk));
    if (!kid.equals(m.group(3))) {
      throw new GeneralSecurityException("no private key with key id " + m.group(3));
    }
    byte[] ct = SealingKeys.decodeCanonical(m.group(4));
    if (ct == null) {
      throw new GeneralSecurityException("token payload is not valid base64url");
    }
    byte[] plain;
    try {
      plain = Hpke.open(sk, info(m.group(1), kid), ct);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new GeneralSecurityException("token failed authentication (corrupted or tampered)");
    }
    if (m.group(1).equals("1")) {
      return new String(plain, StandardCharsets.UTF_8);
    }
    TokenContext.Split split = TokenContext.split(plain);
    if (context != null && context.length > 0) {
      context[0] = split.context;
    }
    return new String(split.text, StandardCharsets.UTF_8);
  }

  public static String open(String privateKeyText, String token) throws GeneralSecurityException {
    return open(privateKeyText, token, null);
  }
}

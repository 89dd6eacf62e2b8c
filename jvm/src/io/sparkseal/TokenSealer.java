package io.sparkseal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seals text into {@code [SEALED:2:X:<kid>:<payload>]} tokens, the format of the Python
 * side ({@code docs/token-format.md}): the plaintext carries an authenticated context
 * (application id, producer "jvm", time). Holds only a public key. A withholding sealer (no
 * or bad key) replaces every text by a fixed placeholder instead: fail closed.
 *
 * <p>Format 3 ({@code [SEALED:3:X:...]}, selected with {@code -Dio.sparkseal.tokenFormat=3} or
 * {@code $SPARKSEAL_TOKEN_FORMAT=3}) seals many tokens with one HPKE context: payload
 * {@code enc || u32be(seq) || AES-256-GCM(plaintext)} with RFC 9180's sequence-numbered nonce,
 * a new context after {@link #MAX_TOKENS} tokens or {@link #MAX_SECONDS} seconds.
 */
public final class TokenSealer {
  public static final Pattern TOKEN = Rules.TOKEN;
  static final String VERSION = "2";
  public static final Pattern TOKEN_LIKE = Pattern.compile("\\[SEALED:[A-Za-z0-9_:-]*\\]?");
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  public static final String FORMAT_PROPERTY = "io.sparkseal.tokenFormat";
  public static final String FORMAT_ENV = "SPARKSEAL_TOKEN_FORMAT";
  public static final long MAX_TOKENS = 100_000L;
  public static final long MAX_SECONDS = 300L;
  static final int SEQ_LEN = 4;

  private final byte[] publicRaw;
  private final String version;
  private final String prefix;
  private final byte[] info;
  private final String placeholder;
  private final long maxTokens;
  private final long maxNanos;
  private volatile Sender sender;

  /** One HPKE sender context and its atomic counter: each (context, seq) is handed out once. */
  private static final class Sender {
    final Hpke.Context ctx;
    final AtomicLong next = new AtomicLong();
    final long expires;

    Sender(Hpke.Context ctx, long expires) {
      this.ctx = ctx;
      this.expires = expires;
    }
  }

  private TokenSealer(byte[] publicRaw, String kid, String placeholder, String version,
      long maxTokens, long maxSeconds) {
    this.publicRaw = publicRaw;
    this.version = version;
    this.prefix = kid == null ? null : "[SEALED:" + version + ":X:" + kid + ":";
    this.info = kid == null ? null : info(version, kid);
    this.placeholder = placeholder;
    this.maxTokens = maxTokens;
    this.maxNanos = maxSeconds * 1_000_000_000L;
  }

  /** The format this JVM writes: {@code -Dio.sparkseal.tokenFormat}, else the env, else 2. */
  public static String defaultFormat() {
    String v = System.getProperty(FORMAT_PROPERTY);
    if (v == null || v.isBlank()) {
      v = System.getenv(FORMAT_ENV);
    }
    return v != null && v.strip().equals("3") ? "3" : VERSION;
  }

  public static TokenSealer forPublicKey(String publicKeyText) throws GeneralSecurityException {
    return forPublicKey(publicKeyText, defaultFormat(), MAX_TOKENS, MAX_SECONDS);
  }

  /** A sealer writing format {@code version} ("2" or "3") with the given re-keying bounds. */
  public static TokenSealer forPublicKey(String publicKeyText, String version, long maxTokens,
      long maxSeconds) throws GeneralSecurityException {
    if (!version.equals("2") && !version.equals("3")) {
      throw new GeneralSecurityException("token format must be 2 or 3");
    }
    if (maxTokens < 1 || maxTokens > (1L << (8 * SEQ_LEN))) {
      throw new GeneralSecurityException("maxTokens must be between 1 and 2^32");
    }
    byte[] raw = SealingKeys.parsePublic(publicKeyText);
    return new TokenSealer(raw, SealingKeys.keyId(raw), null, version, maxTokens, maxSeconds);
  }

  public String version() {
    return version;
  }

  public static TokenSealer withholding(String reason) {
    return new TokenSealer(null, null, "[WITHHELD by sparkseal: " + reason + "]", VERSION, 1, 1);
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
      if (version.equals("3")) {
        return sealV3(plain);
      }
      return prefix + B64.encodeToString(Hpke.seal(publicRaw, info, plain)) + "]";
    } catch (GeneralSecurityException | RuntimeException e) {
      return "[WITHHELD by sparkseal: SS003 sealing failed: " + e.getClass().getSimpleName() + "]";
    }
  }

  /** Format 3: a (context, seq) pair no other call gets, then one AES-GCM under that nonce. */
  private String sealV3(byte[] plain) throws GeneralSecurityException {
    Sender s;
    long seq;
    while (true) {
      s = sender;
      if (s != null && System.nanoTime() - s.expires < 0) {
        seq = s.next.getAndIncrement();
        if (seq < maxTokens) {
          break;
        }
      }
      synchronized (this) {
        if (sender == s) { // nobody re-keyed since we looked: we do
          sender = new Sender(Hpke.setupSender(publicRaw, info, null), System.nanoTime() + maxNanos);
        }
      }
    }
    byte[] ct = s.ctx.seal(new byte[0], plain, seq);
    byte[] out = new byte[Hpke.ENC_LEN + SEQ_LEN + ct.length];
    System.arraycopy(s.ctx.enc, 0, out, 0, Hpke.ENC_LEN);
    for (int i = 0; i < SEQ_LEN; i++) {
      out[Hpke.ENC_LEN + i] = (byte) (seq >>> (8 * (SEQ_LEN - 1 - i)));
    }
    System.arraycopy(ct, 0, out, Hpke.ENC_LEN + SEQ_LEN, ct.length);
    return prefix + B64.encodeToString(out) + "]";
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
      if (m.group(1).equals("3")) {
        int head = Hpke.ENC_LEN + SEQ_LEN;
        if (ct.length < head + Hpke.TAG_LEN) {
          throw new GeneralSecurityException("token payload is too short (truncated)");
        }
        long seq = 0;
        for (int i = 0; i < SEQ_LEN; i++) {
          seq = (seq << 8) | (ct[Hpke.ENC_LEN + i] & 0xff);
        }
        Hpke.Context ctx = Hpke.setupReceiver(
            java.util.Arrays.copyOf(ct, Hpke.ENC_LEN), sk, info("3", kid));
        plain = ctx.open(new byte[0], java.util.Arrays.copyOfRange(ct, head, ct.length), seq);
      } else {
        plain = Hpke.open(sk, info(m.group(1), kid), ct);
      }
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

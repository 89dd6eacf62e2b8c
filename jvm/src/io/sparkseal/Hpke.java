package io.sparkseal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * HPKE (RFC 9180) base mode for one suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 * AES-256-GCM, on JDK 17 primitives (XDH, HmacSHA256, AES/GCM). The same suite the
 * Python side seals with through {@code cryptography}; verified against the RFC's
 * test vector and cross-tested with the Python implementation.
 */
public final class Hpke {
  private static final byte[] KEM_SUITE = concat(ascii("KEM"), new byte[] {0x00, 0x20});
  private static final byte[] HPKE_SUITE =
      concat(ascii("HPKE"), new byte[] {0x00, 0x20, 0x00, 0x01, 0x00, 0x02});
  private static final byte[] VERSION = ascii("HPKE-v1");
  private static final int NK = 32;
  private static final int NN = 12;
  private static final int NH = 32;
  public static final int ENC_LEN = 32;
  public static final int TAG_LEN = 16;

  private Hpke() {}

  // Cipher.getInstance is a provider lookup costing more than sealing a short token.
  private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(() -> {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM/NoPadding is not available", e);
    }
  });

  /** A sender or receiver context: key, base nonce and the encapsulated key. */
  public static final class Context {
    public final byte[] key;
    public final byte[] baseNonce;
    public final byte[] enc;
    public final byte[] sharedSecret;
    private final SecretKeySpec keySpec;

    Context(byte[] key, byte[] baseNonce, byte[] enc, byte[] sharedSecret) {
      this.key = key;
      this.keySpec = new SecretKeySpec(key, "AES");
      this.baseNonce = baseNonce;
      this.enc = enc;
      this.sharedSecret = sharedSecret;
    }

    public byte[] nonce(long seq) {
      byte[] nonce = baseNonce.clone();
      for (int i = 0; i < 8; i++) {
        nonce[NN - 1 - i] ^= (byte) (seq >>> (8 * i));
      }
      return nonce;
    }

    public byte[] seal(byte[] aad, byte[] plaintext, long seq) throws GeneralSecurityException {
      Cipher c = CIPHER.get(); // init with a fresh nonce resets it; one per thread
      c.init(Cipher.ENCRYPT_MODE, keySpec, new GCMParameterSpec(128, nonce(seq)));
      c.updateAAD(aad);
      return c.doFinal(plaintext);
    }

    public byte[] open(byte[] aad, byte[] ciphertext, long seq) throws GeneralSecurityException {
      Cipher c = CIPHER.get();
      c.init(Cipher.DECRYPT_MODE, keySpec, new GCMParameterSpec(128, nonce(seq)));
      c.updateAAD(aad);
      return c.doFinal(ciphertext);
    }
  }

  /** Single-shot seal: {@code enc || AES-256-GCM(plaintext)} with empty AAD, as cryptography does. */
  public static byte[] seal(byte[] recipientPublic, byte[] info, byte[] plaintext)
      throws GeneralSecurityException {
    Context ctx = setupSender(recipientPublic, info, null);
    return concat(ctx.enc, ctx.seal(new byte[0], plaintext, 0));
  }

  /** Single-shot open of {@link #seal}'s output. */
  public static byte[] open(byte[] recipientPrivate, byte[] info, byte[] sealed)
      throws GeneralSecurityException {
    if (sealed.length < ENC_LEN + TAG_LEN) {
      throw new GeneralSecurityException("ciphertext too short");
    }
    Context ctx = setupReceiver(Arrays.copyOf(sealed, ENC_LEN), recipientPrivate, info);
    return ctx.open(new byte[0], Arrays.copyOfRange(sealed, ENC_LEN, sealed.length), 0);
  }

  /**
   * SetupBaseS. {@code ephemeralPrivate} is null in production (a fresh key per call); the
   * RFC test vectors pass their fixed {@code skEm}.
   */
  public static Context setupSender(byte[] pkR, byte[] info, byte[] ephemeralPrivate)
      throws GeneralSecurityException {
    PrivateKey skE;
    byte[] enc;
    if (ephemeralPrivate == null) {
      KeyPairGenerator kpg = KeyPairGenerator.getInstance("X25519");
      KeyPair kp = kpg.generateKeyPair();
      skE = kp.getPrivate();
      enc = encodePublic((XECPublicKey) kp.getPublic());
    } else {
      skE = privateKey(ephemeralPrivate);
      enc = publicFromPrivate(ephemeralPrivate);
    }
    byte[] dh = dh(skE, publicKey(pkR));
    byte[] shared = extractAndExpand(dh, concat(enc, pkR));
    return keySchedule(shared, info, enc);
  }

  /** SetupBaseR. */
  public static Context setupReceiver(byte[] enc, byte[] skR, byte[] info)
      throws GeneralSecurityException {
    byte[] dh = dh(privateKey(skR), publicKey(enc));
    byte[] shared = extractAndExpand(dh, concat(enc, publicFromPrivate(skR)));
    return keySchedule(shared, info, enc);
  }

  static Context keySchedule(byte[] sharedSecret, byte[] info, byte[] enc)
      throws GeneralSecurityException {
    byte[] pskIdHash = labeledExtract(HPKE_SUITE, new byte[0], "psk_id_hash", new byte[0]);
    byte[] infoHash = labeledExtract(HPKE_SUITE, new byte[0], "info_hash", info);
    byte[] context = concat(new byte[] {0x00}, pskIdHash, infoHash);
    byte[] secret = labeledExtract(HPKE_SUITE, sharedSecret, "secret", new byte[0]);
    byte[] key = labeledExpand(HPKE_SUITE, secret, "key", context, NK);
    byte[] baseNonce = labeledExpand(HPKE_SUITE, secret, "base_nonce", context, NN);
    return new Context(key, baseNonce, enc, sharedSecret);
  }

  private static byte[] extractAndExpand(byte[] dh, byte[] kemContext)
      throws GeneralSecurityException {
    byte[] prk = labeledExtract(KEM_SUITE, new byte[0], "eae_prk", dh);
    return labeledExpand(KEM_SUITE, prk, "shared_secret", kemContext, NH);
  }

  private static byte[] labeledExtract(byte[] suite, byte[] salt, String label, byte[] ikm)
      throws GeneralSecurityException {
    return hkdfExtract(salt, concat(VERSION, suite, ascii(label), ikm));
  }

  private static byte[] labeledExpand(byte[] suite, byte[] prk, String label, byte[] info, int len)
      throws GeneralSecurityException {
    byte[] labeled = concat(new byte[] {(byte) (len >>> 8), (byte) len}, VERSION, suite, ascii(label), info);
    return hkdfExpand(prk, labeled, len);
  }

  /** HKDF-Extract (RFC 5869) with HMAC-SHA256; an empty salt means 32 zero bytes. */
  public static byte[] hkdfExtract(byte[] salt, byte[] ikm) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(salt.length == 0 ? new byte[NH] : salt, "HmacSHA256"));
    return mac.doFinal(ikm);
  }

  /** HKDF-Expand (RFC 5869) with HMAC-SHA256. */
  public static byte[] hkdfExpand(byte[] prk, byte[] info, int len) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(prk, "HmacSHA256"));
    byte[] out = new byte[len];
    byte[] t = new byte[0];
    int pos = 0;
    for (int i = 1; pos < len; i++) {
      mac.update(t);
      mac.update(info);
      mac.update((byte) i);
      t = mac.doFinal();
      int n = Math.min(t.length, len - pos);
      System.arraycopy(t, 0, out, pos, n);
      pos += n;
    }
    return out;
  }

  private static byte[] dh(PrivateKey sk, PublicKey pk) throws GeneralSecurityException {
    KeyAgreement ka = KeyAgreement.getInstance("X25519");
    ka.init(sk);
    ka.doPhase(pk, true);
    byte[] shared = ka.generateSecret();
    if (Arrays.equals(shared, new byte[shared.length])) {
      throw new GeneralSecurityException("X25519 produced the all-zero shared secret");
    }
    return shared;
  }

  /** True if X25519 with this point gives the all-zero shared secret (a small-order point). */
  public static boolean isLowOrder(byte[] raw) {
    try {
      KeyPair kp = KeyPairGenerator.getInstance("X25519").generateKeyPair();
      dh(kp.getPrivate(), publicKey(raw));
      return false;
    } catch (GeneralSecurityException e) {
      return true;
    }
  }

  static PublicKey publicKey(byte[] raw) throws GeneralSecurityException {
    if (raw.length != 32) {
      throw new GeneralSecurityException("X25519 public key must be 32 bytes");
    }
    byte[] be = reverse(raw);
    be[0] &= 0x7f; // RFC 7748: mask the unused top bit
    return KeyFactory.getInstance("X25519")
        .generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be)));
  }

  static PrivateKey privateKey(byte[] raw) throws GeneralSecurityException {
    if (raw.length != 32) {
      throw new GeneralSecurityException("X25519 private key must be 32 bytes");
    }
    return KeyFactory.getInstance("X25519")
        .generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, raw.clone()));
  }

  /** The public key of an X25519 private scalar (the scalar times the base point u=9). */
  static byte[] publicFromPrivate(byte[] skRaw) throws GeneralSecurityException {
    byte[] basePoint = new byte[32];
    basePoint[0] = 9;
    KeyAgreement ka = KeyAgreement.getInstance("X25519");
    ka.init(privateKey(skRaw));
    ka.doPhase(publicKey(basePoint), true);
    return ka.generateSecret();
  }

  static byte[] encodePublic(XECPublicKey pk) {
    byte[] be = pk.getU().toByteArray();
    byte[] le = new byte[32];
    for (int i = 0; i < be.length && i < 32; i++) {
      le[i] = be[be.length - 1 - i];
    }
    return le;
  }

  private static byte[] reverse(byte[] in) {
    byte[] out = new byte[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] = in[in.length - 1 - i];
    }
    return out;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int pos = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, pos, p.length);
      pos += p.length;
    }
    return out;
  }
}

package io.sparkseal;

/**
 * The JVM-wide sealer, from {@code -Dsparkseal.publicKey} or {@code $SPARKSEAL_PUBLIC_KEY}.
 * Without a valid key it withholds every text and says why once on stderr (fail closed).
 */
public final class Sealers {
  // Not "sparkseal.*": Spark rejects executor Java options that contain "-Dspark".
  public static final String PROPERTY = "io.sparkseal.publicKey";
  public static final String ENV = "SPARKSEAL_PUBLIC_KEY";
  private static volatile TokenSealer instance;

  private Sealers() {}

  public static TokenSealer get() {
    TokenSealer s = instance;
    if (s == null) {
      synchronized (Sealers.class) {
        if (instance == null) {
          instance = load();
        }
        s = instance;
      }
    }
    return s;
  }

  private static TokenSealer load() {
    String text = System.getProperty(PROPERTY);
    if (text == null || text.isBlank()) {
      text = System.getenv(ENV);
    }
    if (text == null || text.isBlank()) {
      return warn(TokenSealer.withholding("no public key in this JVM (-D" + PROPERTY + ")"),
          "no public key configured (-D" + PROPERTY + " or $" + ENV + ")");
    }
    try {
      return TokenSealer.forPublicKey(text);
    } catch (java.security.GeneralSecurityException e) {
      return warn(TokenSealer.withholding("the public key in this JVM is invalid"),
          "invalid public key: " + e.getMessage());
    }
  }

  private static TokenSealer warn(TokenSealer sealer, String why) {
    System.err.println("sparkseal: " + why + "; every log message that could carry data is"
        + " withheld. Set the key with sparkseal.harden() or sparkseal submit.");
    return sealer;
  }
}

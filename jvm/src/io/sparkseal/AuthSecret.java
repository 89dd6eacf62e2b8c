package io.sparkseal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.spark.SparkEnv;

/**
 * The application's RPC authentication secret, checked and handed over without crossing py4j.
 *
 * <p>sparkseal puts the real secret in Spark's own environment variable {@code
 * _SPARK_AUTH_SECRET} (read before the conf by {@code SecurityManager.getSecretKey}) and only
 * {@link #PLACEHOLDER} in {@code spark.authenticate.secret}, which Spark requires to be set on
 * local-cluster and standalone masters. If the variable did not reach the driver JVM, Spark
 * would authenticate with the placeholder: {@link #problem()} says so, and the driver stops.
 */
public final class AuthSecret {
  /** The conf value standing in for the secret; the Python side uses the same text. */
  public static final String PLACEHOLDER = "sparkseal:in-environment:_SPARK_AUTH_SECRET";

  private AuthSecret() {}

  private static String current() {
    SparkEnv env = SparkEnv.get();
    if (env == null || !env.securityManager().isAuthenticationEnabled()) {
      return null;
    }
    return env.securityManager().getSecretKey();
  }

  /** Null when the secret in force is a real one (or authentication is off); else why not. */
  public static String problem() {
    String secret;
    try {
      secret = current();
    } catch (IllegalArgumentException e) {
      return "Spark has no authentication secret";
    }
    if (PLACEHOLDER.equals(secret)) {
      return "the driver JVM has no _SPARK_AUTH_SECRET in its environment, so Spark would"
          + " authenticate with sparkseal's public placeholder";
    }
    return null;
  }

  /**
   * Writes the secret in force to a new file {@code path} (mode 0600, never through a symlink)
   * for {@code sparkseal verify} and the tests, which prove it appears nowhere else. False when
   * authentication is off. Returning it through py4j instead would print it in py4j's DEBUG log.
   */
  public static boolean writeTo(String path) throws IOException {
    String secret = current();
    if (secret == null) {
      return false;
    }
    Path file = Path.of(path);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rw-------")));
    Files.write(file, secret.getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
    return true;
  }
}

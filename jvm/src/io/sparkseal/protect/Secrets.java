package io.sparkseal.protect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Column secrets, read by the driver JVM itself from the policy's reference ({@code env:NAME}
 * or {@code file:PATH}), so that the secret never crosses py4j as an argument (py4j's DEBUG
 * logging prints every call's arguments). Same reading as Python's {@code
 * sparkseal.core.secrets}: an environment variable's UTF-8 bytes, or a file's bytes without
 * trailing CR/LF; at least 16 bytes. Errors name the policy field and the reference, never
 * the secret, and start with their stable code (SS201, SS203, SS204).
 */
final class Secrets {
  static final int MIN_BYTES = 16;

  private Secrets() {}

  static byte[] read(String reference, String what) {
    int colon = reference == null ? -1 : reference.indexOf(':');
    String scheme = colon < 0 ? "" : reference.substring(0, colon);
    String rest = colon < 0 ? "" : reference.substring(colon + 1);
    byte[] secret;
    if (scheme.equals("env") && !rest.isEmpty()) {
      String value = System.getenv(rest);
      if (value == null) {
        throw new IllegalArgumentException(
            "SS201: " + what + ": secret env:" + rest
                + ": the variable is not set in the driver JVM's environment");
      }
      secret = value.getBytes(StandardCharsets.UTF_8);
    } else if (scheme.equals("file") && !rest.isEmpty()) {
      secret = stripNewlines(readFile(rest, what));
    } else {
      throw new IllegalArgumentException(
          "SS204: " + what + ": the JVM reads column secrets itself, from env:NAME or"
              + " file:PATH only");
    }
    if (secret.length < MIN_BYTES) {
      throw new IllegalArgumentException(
          "SS203: " + what + ": the secret is shorter than " + MIN_BYTES + " bytes");
    }
    return secret;
  }

  private static byte[] readFile(String path, String what) {
    String expanded = path.equals("~") || path.startsWith("~/")
        ? System.getProperty("user.home") + path.substring(1)
        : path;
    try {
      return Files.readAllBytes(Path.of(expanded));
    } catch (NoSuchFileException e) {
      throw unreadable(path, what, "no such file");
    } catch (AccessDeniedException e) {
      throw unreadable(path, what, "permission denied");
    } catch (IOException | RuntimeException e) {
      String why = e.getMessage();
      throw unreadable(path, what, why == null || why.contains("\n")
          ? e.getClass().getSimpleName() : why);
    }
  }

  private static IllegalArgumentException unreadable(String path, String what, String why) {
    return new IllegalArgumentException(
        "SS201: " + what + ": secret file:" + path + ": cannot read it (" + why + ")");
  }

  private static byte[] stripNewlines(byte[] raw) {
    int end = raw.length;
    while (end > 0 && (raw[end - 1] == '\n' || raw[end - 1] == '\r')) {
      end--;
    }
    return end == raw.length ? raw : Arrays.copyOf(raw, end);
  }
}

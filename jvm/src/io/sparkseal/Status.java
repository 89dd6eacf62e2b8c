package io.sparkseal;

import io.sparkseal.log4j.SealingFilter;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.filter.CompositeFilter;

/** What would stop this JVM from sealing; called by the driver through py4j to fail closed. */
public final class Status {
  private Status() {}

  /** Empty when sealing is in force; otherwise one line per problem, saying what to do. */
  public static String problems() {
    List<String> problems = new ArrayList<>();
    if (!ThrowableSealer.inPlaceAvailable()) {
      problems.add("throwables cannot be sealed in place: the JVM lacks"
          + " --add-opens=java.base/java.lang=ALL-UNNAMED (Spark normally adds it)");
    }
    String version = sparkVersion();
    if (!version.startsWith(Rules.SUPPORTED_SPARK)) {
      problems.add("Spark " + version + " is not supported by this sparkseal (it vets "
          + Rules.SUPPORTED_SPARK + "x, whose internals it patches): install a matching release");
    }
    String agent = io.sparkseal.attest.Agent.problem();
    if (agent != null) {
      problems.add(agent);
    }
    if (!Rules.LOADED) {
      problems.add("sparkseal's jar lacks io/sparkseal/rules.json (a broken build):"
          + " rebuild it with sparkseal build-jvm or reinstall sparkseal");
    }
    if (Sealers.get().isWithholding()) {
      problems.add("no valid public key in the JVM (-D" + Sealers.PROPERTY + ")");
    }
    if (!filterInstalled()) {
      problems.add("the log4j2 configuration has no SparksealFilter: was"
          + " -Dlog4j.configurationFile replaced, or log4j2 reconfigured?");
    }
    return String.join("\n", problems);
  }

  /** The running Spark's version, or "unknown". */
  public static String sparkVersion() {
    try {
      return org.apache.spark.package$.MODULE$.SPARK_VERSION();
    } catch (RuntimeException | LinkageError e) {
      return "unknown";
    }
  }

  /**
   * Null if commons-crypto's OpenSSL cipher works here; otherwise why not. Spark then falls
   * back to the JDK cipher for shuffle and RPC encryption, silently.
   */
  public static String opensslCipherProblem() {
    java.util.Properties props = new java.util.Properties();
    props.setProperty("commons.crypto.cipher.classes",
        "org.apache.commons.crypto.cipher.OpenSslCipher");
    try (org.apache.commons.crypto.cipher.CryptoCipher c =
        org.apache.commons.crypto.utils.Utils.getCipherInstance("AES/CTR/NoPadding", props)) {
      return null;
    } catch (Exception | LinkageError e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
  }

  static boolean filterInstalled() {
    Object ctx = LogManager.getContext(false);
    if (!(ctx instanceof LoggerContext)) {
      return false;
    }
    Filter f = ((LoggerContext) ctx).getConfiguration().getFilter();
    if (f instanceof SealingFilter) {
      return true;
    }
    if (f instanceof CompositeFilter) {
      for (Filter each : ((CompositeFilter) f).getFiltersArray()) {
        if (each instanceof SealingFilter) {
          return true;
        }
      }
    }
    return false;
  }
}

package io.sparkseal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Command line for tests and benchmarks of the JVM side:
 *
 * <pre>
 *   seal PUBLIC_KEY_FILE        each stdin line -> one token per line
 *   open PRIVATE_KEY_FILE       each stdin token -> its plaintext (or "ERROR: reason")
 *   rfc9180 VECTOR_JSON         check the RFC 9180 test vector; prints "ok"
 *   bench PUBLIC_KEY_FILE SECS  tokens sealed per second on one thread
 *   seal3 PUBLIC_KEY_FILE [MAX_TOKENS]   as seal, token format 3 (one HPKE context, many tokens)
 *   threads3 PUBLIC_KEY_FILE THREADS PER_THREAD MAX_TOKENS
 *                               format-3 tokens sealed concurrently ("i-j" texts), one per line
 *   bench-formats PUBLIC_KEY_FILE PRIVATE_KEY_FILE SECS
 *                               seal and open per second on one thread, format 2 (one
 *                               single-shot HPKE per token) vs 3, interleaved rounds
 *   events PUBLIC_KEY_FILE      stdin, event-log JSON lines -> each sealed as the event log is
 *   log PUBLIC_KEY_FILE         stdin, "LOGGER<TAB>message" lines -> the message as %sm prints it
 *   layout-bench SECS [PUBLIC_KEY_FILE]
 *                               log events formatted per second: Spark's default pattern vs
 *                               sparkseal's, measured side by side (with the key, as a
 *                               configured JVM; without, the fail-closed withholding path)
 * </pre>
 */
public final class SealTool {
  private SealTool() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2 && !(args.length == 1 && args[0].equals("log-allowlist"))) {
      System.err.println("usage: SealTool seal|open|rfc9180|bench FILE [SECONDS]");
      System.exit(2);
    }
    switch (args[0]) {
      case "seal" -> seal(read(args[1]));
      case "open" -> open(read(args[1]), false);
      case "open-context" -> open(read(args[1]), true);
      case "rfc9180" -> rfc9180(new File(args[1]));
      case "rules" -> rules(new File(args[1]));
      case "bench" -> bench(read(args[1]), Double.parseDouble(args[2]));
      case "seal3" -> seal3(read(args[1]), args.length > 2 ? Long.parseLong(args[2]) : 100_000L);
      case "threads3" -> threads3(read(args[1]), Integer.parseInt(args[2]),
          Integer.parseInt(args[3]), Long.parseLong(args[4]));
      case "bench-formats" -> benchFormats(read(args[1]), read(args[2]),
          Double.parseDouble(args[3]));
      case "layout-bench" -> layoutBench(Double.parseDouble(args[1]),
          args.length > 2 ? read(args[2]) : null);
      case "log-allowlist" -> io.sparkseal.log4j.OperationalMessages.loggers()
          .forEach(System.out::println);
      case "log" -> {
        TokenSealer sealer = TokenSealer.forPublicKey(read(args[1]));
        BufferedReader in = stdin();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          String[] parts = line.split("\t", 2);
          String message = parts[1].replace("\\n", "\n");
          System.out.println(io.sparkseal.log4j.MessageSealer.seal(parts[0], message, sealer)
              .replace("\n", "\\n"));
        }
      }
      case "events" -> {
        io.sparkseal.events.EventSealer sealer = new io.sparkseal.events.EventSealer(
            TokenSealer.forPublicKey(read(args[1])), Rules.REDACTION);
        BufferedReader in = stdin();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          System.out.println(sealer.seal(line));
        }
      }
      default -> {
        System.err.println("unknown command " + args[0]);
        System.exit(2);
      }
    }
  }

  private static String read(String path) throws Exception {
    return Files.readString(Path.of(path), StandardCharsets.US_ASCII);
  }

  private static BufferedReader stdin() {
    return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
  }

  private static void seal(String publicKey) throws Exception {
    TokenSealer sealer = TokenSealer.forPublicKey(publicKey);
    BufferedReader in = stdin();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      System.out.println(sealer.seal(line.replace("\\n", "\n")));
    }
  }

  private static void seal3(String publicKey, long maxTokens) throws Exception {
    TokenSealer sealer = TokenSealer.forPublicKey(publicKey, "3", maxTokens, 300);
    BufferedReader in = stdin();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      System.out.println(sealer.seal(line.replace("\\n", "\n")));
    }
  }

  private static void threads3(String publicKey, int threads, int perThread, long maxTokens)
      throws Exception {
    TokenSealer sealer = TokenSealer.forPublicKey(publicKey, "3", maxTokens, 300);
    String[][] out = new String[threads][perThread];
    Thread[] ts = new Thread[threads];
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    for (int i = 0; i < threads; i++) {
      final int t = i;
      ts[i] = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int j = 0; j < perThread; j++) {
          out[t][j] = sealer.seal(t + "-" + j);
        }
      });
      ts[i].start();
    }
    start.countDown();
    for (Thread t : ts) {
      t.join();
    }
    StringBuilder sb = new StringBuilder();
    for (String[] row : out) {
      for (String token : row) {
        sb.append(token).append('\n');
      }
    }
    System.out.print(sb);
  }

  private static double opsPerSecond(Runnable op, double seconds) {
    long n = 0;
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    while (System.nanoTime() < end) {
      for (int i = 0; i < 50; i++) {
        op.run();
      }
      n += 50;
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  /** Prints "seal RATE2 RATE3" and "open RATE2 RATE3" per round (5 interleaved rounds). */
  private static void benchFormats(String publicKey, String privateKey, double seconds)
      throws Exception {
    TokenSealer v2 = TokenSealer.forPublicKey(publicKey, "2", 100_000L, 300);
    TokenSealer v3 = TokenSealer.forPublicKey(publicKey, "3", 100_000L, 300);
    String msg = "[CAST_INVALID_INPUT] The value 'alan.turing@example.net' of the type STRING";
    String t2 = v2.seal(msg);
    String t3 = v3.seal(msg);
    Runnable[] ops = {
      () -> v2.seal(msg), () -> v3.seal(msg),
      () -> openQuiet(privateKey, t2), () -> openQuiet(privateKey, t3)};
    for (Runnable op : ops) {
      opsPerSecond(op, 1.0); // warm up the JIT (XDH and GCM intrinsics)
    }
    for (int round = 0; round < 5; round++) {
      double[] r = new double[4];
      for (int i = 0; i < 4; i++) {
        r[i] = opsPerSecond(ops[i], seconds / 20);
      }
      System.out.printf("seal %.0f %.0f%nopen %.0f %.0f%n", r[0], r[1], r[2], r[3]);
    }
  }

  private static void openQuiet(String privateKey, String token) {
    try {
      TokenSealer.open(privateKey, token);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e.getMessage());
    }
  }

  private static void open(String privateKey, boolean withContext) throws Exception {
    BufferedReader in = stdin();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      try {
        TokenContext[] context = new TokenContext[1];
        String text = TokenSealer.open(privateKey, line.strip(), context).replace("\n", "\\n");
        System.out.println(withContext ? context[0] + "\t" + text : text);
      } catch (java.security.GeneralSecurityException e) {
        System.out.println("ERROR: " + e.getMessage());
      }
    }
  }

  /** Each corpus string through the shared rules, as JSON (the parity test compares). */
  private static void rules(File corpus) throws Exception {
    ObjectMapper json = new ObjectMapper();
    com.fasterxml.jackson.databind.node.ArrayNode out = json.createArrayNode();
    for (JsonNode item : json.readTree(corpus)) {
      String text = item.asText();
      out.addObject()
          .put("has_word", Rules.hasWord(text))
          .put("condition", Rules.readableCondition(text))
          .put("redacted", java.util.regex.Pattern.compile(Rules.REDACTION).matcher(text).find())
          .put("token", Rules.TOKEN.matcher(text).find());
    }
    System.out.println(json.writeValueAsString(out));
  }

  private static byte[] hex(JsonNode v, String field) {
    return HexFormat.of().parseHex(v.get(field).asText());
  }

  private static void check(String what, byte[] expected, byte[] actual) {
    if (!Arrays.equals(expected, actual)) {
      System.out.println("MISMATCH " + what);
      System.exit(1);
    }
  }

  private static void rfc9180(File file) throws Exception {
    JsonNode v = new ObjectMapper().readTree(file).get("vector");
    byte[] info = hex(v, "info");
    Hpke.Context s = Hpke.setupSender(hex(v, "pkRm"), info, hex(v, "skEm"));
    check("enc", hex(v, "enc"), s.enc);
    check("shared_secret", hex(v, "shared_secret"), s.sharedSecret);
    check("key", hex(v, "key"), s.key);
    check("base_nonce", hex(v, "base_nonce"), s.baseNonce);
    check("pkEm", hex(v, "pkEm"), Hpke.publicFromPrivate(hex(v, "skEm")));
    check("pkRm", hex(v, "pkRm"), Hpke.publicFromPrivate(hex(v, "skRm")));
    Hpke.Context r = Hpke.setupReceiver(s.enc, hex(v, "skRm"), info);
    int seq = 0;
    for (JsonNode e : v.get("encryptions")) {
      check("nonce " + seq, hex(e, "nonce"), s.nonce(seq));
      byte[] ct = s.seal(hex(e, "aad"), hex(e, "pt"), seq);
      check("ct " + seq, hex(e, "ct"), ct);
      check("pt " + seq, hex(e, "pt"), r.open(hex(e, "aad"), ct, seq));
      seq++;
    }
    System.out.println("ok " + seq + " encryptions");
  }

  private static double formatRate(
      org.apache.logging.log4j.core.Layout<?> layout,
      org.apache.logging.log4j.core.Filter filter,
      org.apache.logging.log4j.core.LogEvent event,
      java.io.OutputStream sink,
      double seconds) throws java.io.IOException {
    long n = 0;
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    while (System.nanoTime() < end) {
      for (int i = 0; i < 1000; i++) {
        if (filter != null) {
          filter.filter(event);
        }
        byte[] line = layout.toByteArray(event);
        if (sink != null) {
          sink.write(line, 0, line.length);
          sink.flush(); // the console appender flushes every event
        }
      }
      n += 1000;
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  /** An INFO event of Spark's scheduler logger with {@code message}. */
  private static org.apache.logging.log4j.core.LogEvent infoEvent(String message) {
    return org.apache.logging.log4j.core.impl.Log4jLogEvent.newBuilder()
        .setLoggerName("org.apache.spark.scheduler.TaskSetManager")
        .setLevel(org.apache.logging.log4j.Level.INFO)
        .setMessage(new org.apache.logging.log4j.message.SimpleMessage(message))
        .setTimeMillis(System.currentTimeMillis())
        .build();
  }

  /**
   * Events per second through each layout, one line per case: {@code ordinary} (a line Spark
   * logs for every task, on the allow-list: printed readable), layout only and {@code
   * written} out as the console appender does (one write per event, here to /dev/null); and
   * {@code unlisted}, layout only (the same line with one space more, which no shape matches:
   * sealed whole, or withheld without a key). With {@code publicKey} the JVM is configured
   * as sparkseal configures it; without, every unlisted message is withheld (fail closed).
   */
  private static void layoutBench(double seconds, String publicKey) throws java.io.IOException {
    if (publicKey != null) {
      System.setProperty(Sealers.PROPERTY, publicKey.strip());
    }
    var spark = org.apache.logging.log4j.core.layout.PatternLayout.newBuilder()
        .withPattern("%d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex").build();
    var sealed = org.apache.logging.log4j.core.layout.PatternLayout.newBuilder()
        .withPattern("%d{yy/MM/dd HH:mm:ss} %p %c{1}: %sm%n%sex").build();
    var filter = io.sparkseal.log4j.SealingFilter.createFilter(null, null);
    // As TaskSetManager logs it in Spark 4.3 (no space after the host's comma).
    var ordinary = infoEvent("Starting task 12.0 in stage 3.0 (TID 45) (10.0.0.5,executor 1,"
        + " partition 12, PROCESS_LOCAL, 9340 bytes)");
    var unlisted = infoEvent("Starting task 12.0 in stage 3.0 (TID 45) (10.0.0.5, executor 1,"
        + " partition 12, PROCESS_LOCAL, 9340 bytes)");
    try (var sink = new java.io.BufferedOutputStream(new java.io.FileOutputStream("/dev/null"))) {
      Object[][] cases = {{"ordinary", ordinary, null}, {"written", ordinary, sink},
          {"unlisted", unlisted, null}};
      for (Object[] c : cases) {
        var event = (org.apache.logging.log4j.core.LogEvent) c[1];
        var out = (java.io.OutputStream) c[2];
        formatRate(spark, null, event, out, seconds / 8); // warm up both
        formatRate(sealed, filter, event, out, seconds / 8);
        double a = 0;
        double b = 0;
        for (int round = 0; round < 8; round++) { // interleaved rounds
          a += formatRate(spark, null, event, out, seconds / 32);
          b += formatRate(sealed, filter, event, out, seconds / 32);
        }
        System.out.printf("%s %.0f %.0f%n", c[0], a / 8, b / 8);
      }
    }
  }

  private static void bench(String publicKey, double seconds) throws Exception {
    TokenSealer sealer = TokenSealer.forPublicKey(publicKey);
    String msg = "[CAST_INVALID_INPUT] The value 'alan.turing@example.net' of the type STRING";
    for (int i = 0; i < 2000; i++) {
      sealer.seal(msg); // warm up the JIT
    }
    long n = 0;
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    while (System.nanoTime() < end) {
      for (int i = 0; i < 100; i++) {
        sealer.seal(msg);
      }
      n += 100;
    }
    System.out.printf("%.0f%n", n / ((System.nanoTime() - start) / 1e9));
  }
}

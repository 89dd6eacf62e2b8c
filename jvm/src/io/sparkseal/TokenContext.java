package io.sparkseal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * Who sealed a version-2 token: application id, producer, time (Unix seconds). Written as
 * {@code u16be(length) || JSON} in front of the text, inside the encryption, exactly as the
 * Python side writes it ({@code sparkseal.core.token.TokenContext}).
 */
public final class TokenContext {
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String PRODUCER = "jvm";
  private static volatile Object lastEnv;
  private static volatile String lastApp = "";

  public final String app;
  public final String producer;
  public final long time;

  public TokenContext(String app, String producer, long time) {
    this.app = app;
    this.producer = producer;
    this.time = time;
  }

  /** The context of a token sealed now, in this JVM. */
  static TokenContext now() {
    return new TokenContext(appId(), PRODUCER, System.currentTimeMillis() / 1000);
  }

  /** This JVM's application id, from its SparkEnv; empty before Spark has given it one. */
  static String appId() {
    try {
      org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
      if (env == null) {
        return "";
      }
      if (env != lastEnv || lastApp.isEmpty()) {
        String id = env.conf().get("spark.app.id", "");
        lastApp = id;
        lastEnv = env;
      }
      return lastApp;
    } catch (RuntimeException | LinkageError e) {
      return ""; // outside Spark (tools, tests)
    }
  }

  byte[] prepend(byte[] text) {
    ObjectNode node = JSON.createObjectNode();
    node.put("app", app).put("by", producer).put("t", time);
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("context not serialisable");
    }
    byte[] out = new byte[2 + body.length + text.length];
    out[0] = (byte) (body.length >>> 8);
    out[1] = (byte) body.length;
    System.arraycopy(body, 0, out, 2, body.length);
    System.arraycopy(text, 0, out, 2 + body.length, text.length);
    return out;
  }

  static final class Split {
    final TokenContext context;
    final byte[] text;

    Split(TokenContext context, byte[] text) {
      this.context = context;
      this.text = text;
    }
  }

  static Split split(byte[] plain) throws GeneralSecurityException {
    if (plain.length < 2) {
      throw new GeneralSecurityException("token context is malformed");
    }
    int n = ((plain[0] & 0xff) << 8) | (plain[1] & 0xff);
    if (plain.length < 2 + n) {
      throw new GeneralSecurityException("token context is malformed");
    }
    try {
      JsonNode node = JSON.readTree(new String(plain, 2, n, StandardCharsets.UTF_8));
      TokenContext c = new TokenContext(node.get("app").asText(), node.get("by").asText(),
          node.get("t").asLong());
      return new Split(c, Arrays.copyOfRange(plain, 2 + n, plain.length));
    } catch (java.io.IOException | RuntimeException e) {
      throw new GeneralSecurityException("token context is malformed");
    }
  }

  @Override
  public String toString() {
    return "app=" + app + " by=" + producer + " t=" + time;
  }
}

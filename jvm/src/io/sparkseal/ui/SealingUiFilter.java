package io.sparkseal.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkseal.EventSealer;
import io.sparkseal.PlanSealer;
import io.sparkseal.Sealers;
import io.sparkseal.TokenSealer;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The live UI's filter ({@code spark.ui.filters}). Failure reasons reach the UI already
 * sealed at their source; what the UI builds from query plans does not, so this filter
 * seals plan descriptions and query descriptions in the REST API's {@code /sql} answers and
 * withholds the SQL tab's plan pages (HTML a filter cannot rewrite reliably). The sealed
 * event log and the History Server show those plans, sealed.
 */
public final class SealingUiFilter implements Filter {
  private final ObjectMapper mapper = new ObjectMapper();
  private EventSealer events;
  private TokenSealer sealer;

  @Override
  public void init(FilterConfig config) {
    sealer = Sealers.get();
    events = new EventSealer(sealer, io.sparkseal.Rules.REDACTION);
  }

  @Override
  public void destroy() {}

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)) {
      chain.doFilter(req, res);
      return;
    }
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    String path = request.getRequestURI();
    boolean api = path.contains("/api/v1/");
    if (path.contains("/SQL/execution") || (!api && path.matches(".*/storage(/rdd)?/?$"))) {
      withhold(response); // plan pages, and the storage tab that names cached RDDs by plan
      return;
    }
    Rewrite rewrite = rewriteFor(path);
    if (rewrite == null) {
      chain.doFilter(req, res);
      return;
    }
    Buffered buffered = new Buffered(response);
    chain.doFilter(req, buffered);
    byte[] body = buffered.bytes();
    byte[] out = body;
    if (buffered.getStatus() == 200 && body.length > 0) {
      out = rewrite.apply(new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    }
    response.setContentLength(out.length);
    response.getOutputStream().write(out);
  }

  private interface Rewrite {
    String apply(String body);
  }

  private Rewrite rewriteFor(String path) {
    if (path.contains("/api/v1/") && path.matches(".*/sql(/\\d+)?/?$")) {
      return this::sealSqlJson;
    }
    if (path.contains("/api/v1/") && path.matches(".*/storage/rdd(/\\d+)?/?$")) {
      return this::sealRddJson;
    }
    if (path.matches(".*/(jobs/job|stages/stage)/?$")) {
      return this::sealDagLabels;
    }
    return null;
  }

  private static final java.util.regex.Pattern DOT_LABEL =
      java.util.regex.Pattern.compile("label=&quot;(.*?)&quot;");

  /** The DAG visualisation's node labels hold RDD names, which can be plans. */
  String sealDagLabels(String html) {
    java.util.regex.Matcher m = DOT_LABEL.matcher(html);
    StringBuilder out = new StringBuilder(html.length());
    while (m.find()) {
      String label = m.group(1);
      String sealedLabel = label;
      if (label.contains("\\n+- ") || label.contains("\\n:- ")) {
        String name = label.replace("\\n", "\n");
        sealedLabel = PlanSealer.sealRddName(name, sealer).replace("\n", "\\n");
      }
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement("label=&quot;" + sealedLabel + "&quot;"));
    }
    m.appendTail(out);
    return out.toString();
  }

  String sealRddJson(String json) {
    try {
      JsonNode root = mapper.readTree(json);
      for (JsonNode rdd : root.isArray() ? root : mapper.createArrayNode().add(root)) {
        if (rdd instanceof ObjectNode && rdd.hasNonNull("name")) {
          ((ObjectNode) rdd).put("name", PlanSealer.sealRddName(rdd.get("name").asText(), sealer));
        }
      }
      return mapper.writeValueAsString(root);
    } catch (IOException e) {
      return "[]";
    }
  }

  private void withhold(HttpServletResponse response) throws IOException {
    response.setStatus(HttpServletResponse.SC_FORBIDDEN);
    response.setContentType("text/html;charset=utf-8");
    response.getWriter().write("<html><body><h3>Withheld by sparkseal</h3><p>Query plans can"
        + " carry data (literals), so the live UI does not show them. The event log holds them"
        + " sealed: read them in the History Server or with <code>sparkseal unseal</code>.</p>"
        + "</body></html>");
  }

  String sealSqlJson(String json) {
    try {
      JsonNode root = mapper.readTree(json);
      if (root.isArray()) {
        for (JsonNode e : root) {
          sealExecution(e);
        }
      } else {
        sealExecution(root);
      }
      return mapper.writeValueAsString(root);
    } catch (IOException e) {
      return "[]";
    }
  }

  private void sealExecution(JsonNode node) {
    if (!(node instanceof ObjectNode)) {
      return;
    }
    ObjectNode e = (ObjectNode) node;
    if (e.hasNonNull("planDescription")) {
      e.put("planDescription", PlanSealer.sealPlanDescription(e.get("planDescription").asText(), sealer));
    }
    if (e.hasNonNull("description")) {
      e.put("description", PlanSealer.sealDescription(e.get("description").asText(), sealer));
    }
    if (e.hasNonNull("errorMessage")) {
      e.put("errorMessage", events.sealError(e.get("errorMessage").asText()));
    }
    for (JsonNode n : e.path("nodes")) {
      if (n instanceof ObjectNode && n.hasNonNull("desc")) {
        ((ObjectNode) n).put("desc", PlanSealer.sealSimpleString(n.get("desc").asText(), sealer));
      }
    }
  }

  /** Captures what the UI writes, so it can be sealed before it is sent. */
  private static final class Buffered extends HttpServletResponseWrapper {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private PrintWriter writer;
    private final ServletOutputStream stream = new ServletOutputStream() {
      @Override
      public void write(int b) {
        buffer.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        buffer.write(b, off, len);
      }

      @Override
      public boolean isReady() {
        return true;
      }

      @Override
      public void setWriteListener(WriteListener listener) {}
    };

    Buffered(HttpServletResponse response) {
      super(response);
    }

    @Override
    public ServletOutputStream getOutputStream() {
      return stream;
    }

    @Override
    public PrintWriter getWriter() {
      if (writer == null) {
        writer = new PrintWriter(new OutputStreamWriter(buffer, StandardCharsets.UTF_8));
      }
      return writer;
    }

    @Override
    public void setContentLength(int len) {}

    @Override
    public void setContentLengthLong(long len) {}

    @Override
    public void flushBuffer() {}

    byte[] bytes() {
      if (writer != null) {
        writer.flush();
      }
      return buffer.toByteArray();
    }
  }
}

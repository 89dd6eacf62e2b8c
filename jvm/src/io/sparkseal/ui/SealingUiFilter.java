package io.sparkseal.ui;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * The live UI's filter ({@code spark.ui.filters}). What the UI shows comes from its store,
 * which is built from sealed events ({@code events.SealingEventQueue}), so every page and REST
 * answer is sealed whatever route asks for it. On top of that, the SQL tab's plan pages and
 * the storage tab stay withheld (403), as a second line behind the store. The decision is made
 * on the path as the server will route it -- percent-decoded until stable, {@code ;} path
 * parameters dropped, dot segments resolved, repeated slashes collapsed, case folded -- so
 * that no spelling of a gated route reaches its page.
 */
public final class SealingUiFilter implements Filter {
  @Override
  public void init(FilterConfig config) {}

  @Override
  public void destroy() {}

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)) {
      chain.doFilter(req, res);
      return;
    }
    if (gated(canonicalPath(((HttpServletRequest) req).getRequestURI()))) {
      withhold((HttpServletResponse) res);
      return;
    }
    chain.doFilter(req, res);
  }

  /** True for the plan pages of the SQL tab and the storage pages (not their REST twins). */
  static boolean gated(String canonical) {
    if (canonical.contains("/sql/execution")) {
      return true;
    }
    boolean api = canonical.contains("/api/v1/");
    return !api && (canonical.endsWith("/storage") || canonical.contains("/storage/"));
  }

  /** The path the way a server routes it: decoded, normalised, lower case. */
  static String canonicalPath(String uri) {
    String path = uri == null ? "/" : uri;
    for (int i = 0; i < 5; i++) { // %252F -> %2F -> /
      String decoded;
      try {
        decoded = URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        break; // a stray %: what is left is literal
      }
      if (decoded.equals(path)) {
        break;
      }
      path = decoded;
    }
    Deque<String> segments = new ArrayDeque<>();
    for (String raw : path.replace('\\', '/').split("/")) {
      int semicolon = raw.indexOf(';');
      String segment = semicolon >= 0 ? raw.substring(0, semicolon) : raw;
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        segments.pollLast();
      } else {
        segments.addLast(segment.toLowerCase(Locale.ROOT));
      }
    }
    return "/" + String.join("/", segments) + (path.endsWith("/") ? "/" : "");
  }

  private static void withhold(HttpServletResponse response) throws IOException {
    response.setStatus(HttpServletResponse.SC_FORBIDDEN);
    response.setContentType("text/html;charset=utf-8");
    response.getWriter().write("<html><body><h3>Withheld by sparkseal</h3><p>Query plans and"
        + " cached data names can carry data, so the live UI does not show these pages. The"
        + " event log holds them sealed: read them in the History Server or with"
        + " <code>sparkseal unseal</code>.</p></body></html>");
  }
}

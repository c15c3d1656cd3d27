package dev.tally.ops.console;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request and its response, over the JDK's {@link HttpExchange}: the decoded path, query
 * and form, the cookies, and responses that always carry the console's security headers.
 */
final class WebRequest {

  /** The largest form the console reads; its forms are a few short fields. */
  static final int MAX_FORM_BYTES = 64 * 1024;
  /** The most fields a form or query may have. */
  static final int MAX_FIELDS = 64;

  /**
   * No script at all, styles from the console only, forms post to the console only, no framing.
   * Even markup that escaped {@link Html} could not run script or send a form elsewhere.
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'self'; img-src 'self'; "
      + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  /** The usage page's policy: as above, and scripts from the console only (its charts), none inline. */
  static final String CHART_PAGE_POLICY = CONTENT_SECURITY_POLICY + "; script-src 'self'";

  /** Thrown when the request is not one the console reads (too large, malformed). */
  static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }

  private final HttpExchange exchange;
  private final List<String> segments;
  private final Map<String, String> query;
  private Map<String, String> form;
  private String policy = CONTENT_SECURITY_POLICY;

  WebRequest(HttpExchange exchange) {
    this.exchange = exchange;
    this.segments = segments(exchange.getRequestURI().getRawPath());
    this.query = fields(exchange.getRequestURI().getRawQuery());
  }

  String method() {
    return exchange.getRequestMethod();
  }

  /** The path's decoded segments: {@code /orgs/a%3Ab/redeem} → [orgs, a:b, redeem]. */
  List<String> segments() {
    return segments;
  }

  /** The raw path, e.g. {@code /static/console.css}. */
  String path() {
    return exchange.getRequestURI().getRawPath();
  }

  String query(String name) {
    return query.getOrDefault(name, "");
  }

  String header(String name) {
    return exchange.getRequestHeaders().getFirst(name);
  }

  /** A field of the posted form, "" when absent. */
  String field(String name) throws IOException {
    if (form == null) form = readForm();
    return form.getOrDefault(name, "");
  }

  /** The value of a cookie the browser sent, null when it sent none by that name. */
  String cookie(String name) {
    List<String> headers = exchange.getRequestHeaders().get("Cookie");
    if (headers == null) return null;
    for (String header : headers) {
      for (String pair : header.split(";")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).strip().equals(name)) return pair.substring(eq + 1).strip();
      }
    }
    return null;
  }

  /** Sets a cookie for the whole console: HttpOnly, SameSite=Strict, {@code Secure} when asked. */
  void setCookie(String name, String value, boolean secure, boolean expire) {
    exchange.getResponseHeaders().add("Set-Cookie", name + "=" + value + "; Path=/; HttpOnly; SameSite=Strict"
        + (secure ? "; Secure" : "") + (expire ? "; Max-Age=0" : ""));
  }

  /** An HTML page: never cached, since it holds an org's data. */
  void page(int status, String html) throws IOException {
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    send(status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
  }

  /** The page about to be sent runs the console's own scripts (the charts), and no other. */
  void allowOwnScripts() {
    policy = CHART_PAGE_POLICY;
  }

  /**
   * A download streamed as it is written (chunked): {@code fileName} is a constant of the console or
   * made of {@code [A-Za-z0-9._-]} only. Never cached, like the pages.
   */
  OutputStream download(String contentType, String fileName) throws IOException {
    headers(contentType);
    exchange.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
    exchange.sendResponseHeaders(200, 0);
    return exchange.getResponseBody();
  }

  /** After a POST: the page to show next (303 See Other, so a reload does not post again). */
  void redirect(String location) throws IOException {
    exchange.getResponseHeaders().set("Location", location);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    send(303, "text/plain; charset=utf-8", new byte[0]);
  }

  void send(int status, String contentType, byte[] body) throws IOException {
    headers(contentType);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private void headers(String contentType) {
    var headers = exchange.getResponseHeaders();
    headers.set("Content-Type", contentType);
    headers.set("Content-Security-Policy", policy);
    headers.set("X-Frame-Options", "DENY");
    headers.set("X-Content-Type-Options", "nosniff");
    // Not no-referrer: under it a browser sends "Origin: null" with the console's own forms.
    headers.set("Referrer-Policy", "same-origin");
    if (!headers.containsKey("Cache-Control")) headers.set("Cache-Control", "no-store");
  }

  /** A file of the console's own (style, scripts): the same for everyone, so browsers may keep it a day. */
  void asset(String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Cache-Control", "public, max-age=86400");
    send(200, contentType, body);
  }

  private Map<String, String> readForm() throws IOException {
    String type = header("Content-Type");
    if (type == null || !type.startsWith("application/x-www-form-urlencoded")) return Map.of();
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_FORM_BYTES + 1);
      if (body.length > MAX_FORM_BYTES) throw new BadRequest("the form is larger than the console reads");
      return fields(new String(body, StandardCharsets.US_ASCII));
    }
  }

  private static Map<String, String> fields(String encoded) {
    Map<String, String> fields = new HashMap<>();
    if (encoded == null || encoded.isEmpty()) return fields;
    String[] pairs = encoded.split("&");
    if (pairs.length > MAX_FIELDS) throw new BadRequest("too many fields");
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      fields.putIfAbsent(name, value);
    }
    return fields;
  }

  private static List<String> segments(String rawPath) {
    List<String> segments = new ArrayList<>();
    for (String part : rawPath.split("/")) {
      if (!part.isEmpty()) segments.add(decode(part.replace("+", "%2B")));
    }
    return segments;
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new BadRequest("malformed percent-encoding");
    }
  }
}

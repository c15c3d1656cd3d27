package dev.tally.ops.console;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;

/**
 * The console's own files, read once from the class path at start: its stylesheet, its chart script
 * and ECharts from the webjar (Maven Central), so no page loads anything from another site.
 */
final class Assets {

  /** A file served under /static. */
  record Asset(String contentType, byte[] body) {}

  private static final String ECHARTS_WEBJAR = "META-INF/maven/org.webjars.npm/echarts/pom.properties";

  private final Map<String, Asset> byPath;

  private Assets(Map<String, Asset> byPath) {
    this.byPath = byPath;
  }

  static Assets load() throws IOException {
    return new Assets(Map.of(
        Links.STYLE, new Asset("text/css; charset=utf-8", own("console.css")),
        Links.CHARTS_SCRIPT, new Asset("text/javascript; charset=utf-8", own("charts.js")),
        Links.ECHARTS_SCRIPT, new Asset("text/javascript; charset=utf-8", echarts())));
  }

  /** The file at {@code path} ({@code /static/...}), or null. */
  Asset find(String path) {
    return byPath.get(path);
  }

  private static byte[] own(String name) throws IOException {
    try (InputStream in = Assets.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException(name + " is missing from the class path");
      return in.readAllBytes();
    }
  }

  /** The minified ECharts of whichever version of the webjar the build put on the class path. */
  private static byte[] echarts() throws IOException {
    ClassLoader loader = Assets.class.getClassLoader();
    Properties webjar = new Properties();
    try (InputStream in = loader.getResourceAsStream(ECHARTS_WEBJAR)) {
      if (in == null) throw new IllegalStateException("the ECharts webjar (org.webjars.npm:echarts) is not on the class path");
      webjar.load(in);
    }
    String file = "META-INF/resources/webjars/echarts/" + webjar.getProperty("version") + "/dist/echarts.min.js";
    try (InputStream in = loader.getResourceAsStream(file)) {
      if (in == null) throw new IllegalStateException(file + " is missing from the ECharts webjar");
      return in.readAllBytes();
    }
  }
}

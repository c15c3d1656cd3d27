package dev.tally.ops.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The report folder of a run: {@code results.json} (every number), {@code latency.hlog} (written
 * by the runner) and {@code report.html}, a self-contained page (inline SVG, no script, no CDN)
 * with throughput and latency over time and the percentile distribution. {@link #comparison}
 * draws several runs on one page, e.g. Tally next to PostgreSQL on the same workload.
 */
final class Report {

  private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"};

  private Report() {}

  static void write(Path folder, RunResult result) throws IOException {
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("results.json"), Json.write(result.toJson()), StandardCharsets.UTF_8);
    Files.writeString(folder.resolve("report.html"), page(result.target() + " — " + result.label(), List.of(result)),
        StandardCharsets.UTF_8);
  }

  /** One page for several runs (each also has its own folder). */
  static void comparison(Path file, String title, List<RunResult> results) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, page(title, results), StandardCharsets.UTF_8);
  }

  static String page(String title, List<RunResult> results) {
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>").append(escape(title)).append("</title>")
        .append("<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:12px 0}"
            + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}"
            + "svg{background:#fff;border:1px solid #ddd;margin:8px 0}.note{color:#666;font-size:90%}</style></head><body>");
    html.append("<h1>").append(escape(title)).append("</h1>");
    html.append("<table><tr><th>run</th><th>workload</th><th>load</th><th>units/s</th><th>op p50</th><th>op p90</th><th>op p99</th>"
        + "<th>op p99.9</th><th>op max</th><th>pair p99</th><th>errors</th></tr>");
    for (RunResult r : results) {
      html.append(String.format(Locale.ROOT,
          "<tr><td>%s %s</td><td>%s</td><td>%s</td><td>%,.0f</td><td>%.2f ms</td><td>%.2f ms</td><td>%.2f ms</td><td>%.2f ms</td>"
              + "<td>%.2f ms</td><td>%.2f ms</td><td>%s</td></tr>",
          escape(r.target()), escape(r.label()), escape(r.describeWorkload()), escape(r.settings().describe()), r.unitsPerSecond(),
          r.ms(Latencies.OPERATION, 50), r.ms(Latencies.OPERATION, 90), r.ms(Latencies.OPERATION, 99),
          r.ms(Latencies.OPERATION, 99.9), r.maxMs(Latencies.OPERATION), r.ms(Latencies.PAIR, 99),
          r.errors().isEmpty() ? "0" : escape(r.errors().toString())));
    }
    html.append("</table><p class=\"note\">A unit is a reserve+commit pair or a one-step charge. Latency of an operation "
        + "(reserve, commit or charge) in open loop is measured from its intended start, so a backlog counts in full.</p>");
    html.append("<h2>Throughput over time</h2>").append(throughputChart(results));
    html.append("<h2>Latency over time (each operation, per second: p50 dashed, p99 solid, max dotted)</h2>")
        .append(latencyChart(results));
    html.append("<h2>Percentile distribution</h2>").append(percentileChart(results));
    html.append("</body></html>\n");
    return html.toString();
  }

  // ---- charts ---------------------------------------------------------------------------------

  private static final int W = 960;
  private static final int H = 340;
  private static final int LEFT = 70;
  private static final int RIGHT = 200;
  private static final int TOP = 16;
  private static final int BOTTOM = 40;

  private static String throughputChart(List<RunResult> results) {
    double maxX = 1;
    double maxY = 1;
    for (RunResult r : results) {
      for (Runner.Second s : r.timeline()) {
        maxX = Math.max(maxX, s.second());
        maxY = Math.max(maxY, s.units());
      }
    }
    maxY = niceCeiling(maxY * 1.1);
    StringBuilder svg = frame();
    for (int i = 0; i <= 5; i++) {
      double v = maxY * i / 5;
      double y = yLinear(v, maxY);
      svg.append(gridLine(y)).append(text(LEFT - 6, y + 4, String.format(Locale.ROOT, "%,.0f", v), "end"));
    }
    xSecondsAxis(svg, maxX);
    svg.append(text(14, TOP + (H - TOP - BOTTOM) / 2.0, "units / s", "middle", "rotate(-90 14 " + (TOP + (H - TOP - BOTTOM) / 2) + ")"));
    for (int i = 0; i < results.size(); i++) {
      List<double[]> points = new ArrayList<>();
      for (Runner.Second s : results.get(i).timeline()) points.add(new double[] {xLinear(s.second(), maxX), yLinear(s.units(), maxY)});
      svg.append(polyline(points, COLORS[i % COLORS.length], ""));
      legend(svg, i, results.get(i));
    }
    return svg.append("</svg>").toString();
  }

  private static String latencyChart(List<RunResult> results) {
    double maxX = 1;
    double maxMs = 1;
    double minMs = Double.MAX_VALUE;
    for (RunResult r : results) {
      for (Runner.Second s : r.timeline()) {
        maxX = Math.max(maxX, s.second());
        maxMs = Math.max(maxMs, s.max());
        if (s.p50() > 0) minMs = Math.min(minMs, s.p50());
      }
    }
    StringBuilder svg = frame();
    double[] range = logAxis(svg, minMs, maxMs);
    xSecondsAxis(svg, maxX);
    for (int i = 0; i < results.size(); i++) {
      String color = COLORS[i % COLORS.length];
      List<double[]> p50 = new ArrayList<>();
      List<double[]> p99 = new ArrayList<>();
      List<double[]> max = new ArrayList<>();
      for (Runner.Second s : results.get(i).timeline()) {
        if (s.max() <= 0) continue;
        double x = xLinear(s.second(), maxX);
        p50.add(new double[] {x, yLog(s.p50(), range)});
        p99.add(new double[] {x, yLog(s.p99(), range)});
        max.add(new double[] {x, yLog(s.max(), range)});
      }
      svg.append(polyline(p50, color, "6,4")).append(polyline(p99, color, "")).append(polyline(max, color, "1,3"));
      legend(svg, i, results.get(i));
    }
    return svg.append("</svg>").toString();
  }

  /** Latency against percentile, the x axis stretched towards the tail: 0, 90, 99, 99.9 … evenly spaced. */
  private static String percentileChart(List<RunResult> results) {
    double maxMs = 1;
    double minMs = Double.MAX_VALUE;
    double maxNines = 3;
    for (RunResult r : results) {
      for (String name : List.of(Latencies.OPERATION, Latencies.PAIR)) {
        Histogram h = r.latencies().get(name);
        if (h == null || h.getTotalCount() == 0) continue;
        maxMs = Math.max(maxMs, h.getMaxValue() / 1000.0);
        minMs = Math.min(minMs, h.getMinValue() / 1000.0);
        maxNines = Math.max(maxNines, Math.ceil(Math.log10(h.getTotalCount())));
      }
    }
    StringBuilder svg = frame();
    double[] range = logAxis(svg, minMs, maxMs);
    for (int n = 0; n <= maxNines; n++) {
      double x = LEFT + (W - LEFT - RIGHT) * n / maxNines;
      String label = n == 0 ? "0%" : String.format(Locale.ROOT, "%s%%", trimPercent(100 - 100 / Math.pow(10, n)));
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>", x, TOP, x, H - BOTTOM))
          .append(text(x, H - BOTTOM + 16, label, "middle"));
    }
    svg.append(text(LEFT + (W - LEFT - RIGHT) / 2.0, H - 6, "percentile", "middle"));
    int line = 0;
    for (int i = 0; i < results.size(); i++) {
      RunResult r = results.get(i);
      for (String name : List.of(Latencies.OPERATION, Latencies.PAIR)) {
        Histogram h = r.latencies().get(name);
        if (h == null || h.getTotalCount() == 0) continue;
        List<double[]> points = new ArrayList<>();
        for (HistogramIterationValue v : h.percentiles(5)) {
          double p = Math.min(v.getPercentileLevelIteratedTo(), 100 - 100 / Math.pow(10, maxNines));
          double nines = -Math.log10(1 - p / 100);
          points.add(new double[] {LEFT + (W - LEFT - RIGHT) * nines / maxNines, yLog(h.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0, range)});
          if (v.getPercentileLevelIteratedTo() >= 100) break;
        }
        String color = COLORS[i % COLORS.length];
        svg.append(polyline(points, color, name.equals(Latencies.PAIR) ? "6,4" : ""));
        double y = TOP + 14 + 18 * line++;
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>",
            W - RIGHT + 10, y - 4, W - RIGHT + 34, y - 4, color, name.equals(Latencies.PAIR) ? " stroke-dasharray=\"6,4\"" : ""));
        svg.append(text(W - RIGHT + 40, y, r.target() + " " + name, "start"));
      }
    }
    return svg.append("</svg>").toString();
  }

  private static StringBuilder frame() {
    StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-size=\"11\" font-family=\"sans-serif\">", W, H));
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>",
        LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM));
    return svg;
  }

  private static void legend(StringBuilder svg, int i, RunResult r) {
    double y = TOP + 14 + 18 * i;
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>",
        W - RIGHT + 10, y - 4, W - RIGHT + 34, y - 4, COLORS[i % COLORS.length]));
    svg.append(text(W - RIGHT + 40, y, r.target() + " " + r.label(), "start"));
  }

  private static void xSecondsAxis(StringBuilder svg, double maxX) {
    double step = niceStep(maxX / 8);
    for (double s = 0; s <= maxX + 1e-9; s += step) {
      double x = xLinear(s, maxX);
      svg.append(text(x, H - BOTTOM + 16, String.format(Locale.ROOT, "%.0f", s), "middle"));
    }
    svg.append(text(LEFT + (W - LEFT - RIGHT) / 2.0, H - 6, "seconds into the measured window", "middle"));
  }

  /** Draws a log-scale millisecond axis from about {@code minMs} to {@code maxMs}; returns {log10 min, log10 max}. */
  private static double[] logAxis(StringBuilder svg, double minMs, double maxMs) {
    double lo = minMs == Double.MAX_VALUE ? -2 : Math.max(-2, Math.floor(Math.log10(Math.max(minMs, 1e-3))));
    double hi = Math.max(lo + 1, Math.ceil(Math.log10(maxMs * 1.05)));
    double[] range = {lo, hi};
    for (int e = (int) lo; e <= hi; e++) {
      for (int m : new int[] {1, 2, 5}) {
        double v = m * Math.pow(10, e);
        if (Math.log10(v) > hi + 1e-9) break;
        double y = yLog(v, range);
        svg.append(gridLine(y)).append(text(LEFT - 6, y + 4, formatMs(v), "end"));
      }
    }
    svg.append(text(14, TOP + (H - TOP - BOTTOM) / 2.0, "latency", "middle", "rotate(-90 14 " + (TOP + (H - TOP - BOTTOM) / 2) + ")"));
    return range;
  }

  private static String formatMs(double v) {
    if (v >= 1000) return String.format(Locale.ROOT, "%.0f s", v / 1000);
    if (v >= 1) return String.format(Locale.ROOT, "%.0f ms", v);
    return String.format(Locale.ROOT, "%s ms", trimPercent(v));
  }

  private static double xLinear(double v, double max) {
    return LEFT + (W - LEFT - RIGHT) * v / max;
  }

  private static double yLinear(double v, double max) {
    return H - BOTTOM - (H - TOP - BOTTOM) * v / max;
  }

  private static double yLog(double ms, double[] range) {
    double l = Math.log10(Math.max(ms, Math.pow(10, range[0])));
    return H - BOTTOM - (H - TOP - BOTTOM) * (l - range[0]) / (range[1] - range[0]);
  }

  private static String gridLine(double y) {
    return String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>", LEFT, y, W - RIGHT, y);
  }

  private static String polyline(List<double[]> points, String color, String dash) {
    if (points.isEmpty()) return "";
    StringBuilder p = new StringBuilder();
    for (double[] xy : points) p.append(String.format(Locale.ROOT, "%.1f,%.1f ", xy[0], xy[1]));
    return String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\"%s points=\"%s\"/>",
        color, dash.isEmpty() ? "" : " stroke-dasharray=\"" + dash + "\"", p.toString().trim());
  }

  private static String text(double x, double y, String s, String anchor) {
    return text(x, y, s, anchor, null);
  }

  private static String text(double x, double y, String s, String anchor, String transform) {
    return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>%s</text>", x, y, anchor,
        transform == null ? "" : " transform=\"" + transform + "\"", escape(s));
  }

  private static double niceStep(double raw) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
    for (double m : new double[] {1, 2, 5, 10}) if (m * magnitude >= raw) return m * magnitude;
    return 10 * magnitude;
  }

  private static double niceCeiling(double v) {
    double step = niceStep(v / 5);
    return Math.ceil(v / step) * step;
  }

  private static String trimPercent(double v) {
    String s = String.format(Locale.ROOT, "%.5f", v).replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

}

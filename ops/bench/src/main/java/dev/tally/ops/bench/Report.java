package dev.tally.ops.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;

/**
 * The report folder of a run: {@code results.json} (every number), {@code latency.hlog} (written by the runner) and
 * {@code report.html}, a self-contained page (inline SVG, no script, no CDN) with the run's summary and its latency
 * percentile distribution. {@link #comparison} draws several runs on one page, e.g. Tally next to PostgreSQL. The
 * latency of each second is in {@code latency.hlog} (HdrHistogram's HistogramLogProcessor reads it).
 */
final class Report {

  /** The one JSON writer of the bench: records as objects, instants as ISO text, durations in seconds. */
  static final ObjectMapper JSON = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .build();

  private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"};

  private Report() {}

  static void write(Path folder, Measurement measurement) throws IOException {
    writeJson(folder.resolve("results.json"), measurement);
    RunResult run = measurement.run();
    comparison(folder.resolve("report.html"), run.target() + " — " + run.label(), List.of(run));
  }

  static void writeJson(Path file, Object value) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    JSON.writeValue(file.toFile(), value);
  }

  /** One page for several runs (each also has its own folder). */
  static void comparison(Path file, String title, List<RunResult> runs) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    // The numbers as the console printed them: one rendering of a run's summary, not two.
    StringBuilder html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>")
        .append(escape(title)).append("</title><style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}"
            + "svg{background:#fff;border:1px solid #ddd;margin:8px 0}.note{color:#666;font-size:90%}</style></head><body><h1>")
        .append(escape(title)).append("</h1><pre>");
    for (RunResult r : runs) html.append(escape(r.summary()));
    html.append("</pre><p class=\"note\">A unit is a reserve+commit pair or a one-step charge. Latency of an operation "
            + "(reserve, commit or charge) in open loop is measured from its intended start, so a backlog counts in full.</p>")
        .append("<h2>Percentile distribution</h2>").append(percentileChart(runs))
        .append("</body></html>\n");
    Files.writeString(file, html, StandardCharsets.UTF_8);
  }

  // ---- charts: each line's points are in axis units (log10 of ms on a latency axis) -----------------------------

  private static final int W = 960;
  private static final int H = 340;
  private static final int LEFT = 70;
  private static final int RIGHT = 200;
  private static final int TOP = 16;
  private static final int BOTTOM = 40;

  /** A line of a chart; {@code legend} null for a line that its run's legend entry already names. */
  private record Line(String legend, String color, String dash, List<double[]> points) {}

  private record Tick(double at, String label) {}

  private record Axis(String title, double min, double max, List<Tick> ticks) {}

  /** Latency against percentile, the x axis stretched towards the tail: 0, 90, 99, 99.9 … evenly spaced. */
  private static String percentileChart(List<RunResult> runs) {
    double maxMs = 1;
    double minMs = Double.MAX_VALUE;
    double maxNines = 3;
    for (RunResult r : runs) {
      for (Histogram h : List.of(r.latencies().get(Latencies.OPERATION), r.latencies().get(Latencies.PAIR))) {
        if (h.getTotalCount() == 0) continue;
        maxMs = Math.max(maxMs, h.getMaxValue() / 1000.0);
        minMs = Math.min(minMs, h.getMinValue() / 1000.0);
        maxNines = Math.max(maxNines, Math.ceil(Math.log10(h.getTotalCount())));
      }
    }
    Axis y = msAxis(minMs, maxMs);
    Axis x = new Axis("percentile", 0, maxNines, IntStream.rangeClosed(0, (int) maxNines)
        .mapToObj(n -> new Tick(n, n == 0 ? "0%" : trim(100 - 100 / Math.pow(10, n)) + "%")).toList());
    double lastPercentile = 100 - 100 / Math.pow(10, maxNines);
    List<Line> lines = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      for (String name : List.of(Latencies.OPERATION, Latencies.PAIR)) {
        Histogram h = runs.get(i).latencies().get(name);
        if (h.getTotalCount() == 0) continue;
        lines.add(new Line(runs.get(i).target() + " " + name, COLORS[i % COLORS.length], name.equals(Latencies.PAIR) ? "6,4" : "",
            Latencies.distribution(h).stream()
                .map(p -> new double[] {-Math.log10(1 - Math.min(p[0], lastPercentile) / 100), log(p[1], y)}).toList()));
      }
    }
    return chart(x, y, lines);
  }

  /** A log-scale millisecond axis from about {@code minMs} to {@code maxMs}, in log10 units, ticks at 1, 2, 5 × 10ⁿ. */
  private static Axis msAxis(double minMs, double maxMs) {
    double lo = minMs == Double.MAX_VALUE ? -2 : Math.max(-2, Math.floor(Math.log10(Math.max(minMs, 1e-3))));
    double hi = Math.max(lo + 1, Math.ceil(Math.log10(maxMs * 1.05)));
    List<Tick> ticks = new ArrayList<>();
    for (int e = (int) lo; e <= hi; e++) {
      for (int m : new int[] {1, 2, 5}) {
        double v = m * Math.pow(10, e);
        if (Math.log10(v) > hi + 1e-9) break;
        String label = v >= 1000 ? String.format(Locale.ROOT, "%.0f s", v / 1000)
            : v >= 1 ? String.format(Locale.ROOT, "%.0f ms", v) : trim(v) + " ms";
        ticks.add(new Tick(Math.log10(v), label));
      }
    }
    return new Axis("latency", lo, hi, ticks);
  }

  /** A latency in the units of a log axis, no lower than its bottom. */
  private static double log(double ms, Axis axis) {
    return Math.max(Math.log10(Math.max(ms, 1e-12)), axis.min());
  }

  private static String chart(Axis x, Axis y, List<Line> lines) {
    StringBuilder svg = new StringBuilder(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
        + "height=\"%d\" font-size=\"11\" font-family=\"sans-serif\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
        + "fill=\"none\" stroke=\"#999\"/>", W, H, LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM));
    for (Tick t : y.ticks()) {
      double py = py(t.at(), y);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>", LEFT, py, W - RIGHT, py))
          .append(text(LEFT - 6, py + 4, t.label(), "end", ""));
    }
    for (Tick t : x.ticks()) svg.append(text(px(t.at(), x), H - BOTTOM + 16, t.label(), "middle", ""));
    double middle = TOP + (H - TOP - BOTTOM) / 2.0;
    svg.append(text(LEFT + (W - LEFT - RIGHT) / 2.0, H - 6, x.title(), "middle", ""))
        .append(text(14, middle, y.title(), "middle", String.format(Locale.ROOT, " transform=\"rotate(-90 14 %.0f)\"", middle)));
    int entry = 0;
    for (Line l : lines) {
      if (!l.points().isEmpty()) {
        StringBuilder points = new StringBuilder();
        for (double[] p : l.points()) points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px(p[0], x), py(p[1], y)));
        svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\"%s points=\"%s\"/>",
            l.color(), dash(l.dash()), points.toString().trim()));
      }
      if (l.legend() == null) continue;
      double ly = TOP + 14 + 18 * entry++;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>",
              W - RIGHT + 10, ly - 4, W - RIGHT + 34, ly - 4, l.color(), dash(l.dash())))
          .append(text(W - RIGHT + 40, ly, l.legend(), "start", ""));
    }
    return svg.append("</svg>").toString();
  }

  private static double px(double v, Axis x) {
    return LEFT + (W - LEFT - RIGHT) * (v - x.min()) / (x.max() - x.min());
  }

  private static double py(double v, Axis y) {
    return H - BOTTOM - (H - TOP - BOTTOM) * (v - y.min()) / (y.max() - y.min());
  }

  private static String dash(String dash) {
    return dash.isEmpty() ? "" : " stroke-dasharray=\"" + dash + "\"";
  }

  private static String text(double x, double y, String s, String anchor, String attributes) {
    return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>%s</text>", x, y, anchor, attributes,
        escape(s));
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.5f", v).replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}

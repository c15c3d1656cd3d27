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
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Collectors;
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

  // ---- the chart ----------------------------------------------------------------------------------------------

  private static final int W = 960;
  private static final int H = 340;
  private static final int LEFT = 70;
  private static final int RIGHT = 200;
  private static final int TOP = 16;
  private static final int BOTTOM = 40;

  /**
   * Latency (log scale, ticks at 1, 2, 5 × 10ⁿ ms) against percentile, the x axis stretched towards the tail: 0, 90,
   * 99, 99.9 … evenly spaced. Operations solid, pairs dashed, one colour per run.
   */
  private static String percentileChart(List<RunResult> runs) {
    List<String> kinds = List.of(Latencies.OPERATION, Latencies.PAIR);
    List<Histogram> all = runs.stream().flatMap(r -> kinds.stream().map(r.latencies()::get))
        .filter(h -> h.getTotalCount() > 0).toList();
    double lo = Math.max(-2, Math.floor(Math.log10(Math.max(1e-3,
        all.stream().mapToDouble(h -> h.getMinValue() / 1000.0).min().orElse(1e-2)))));
    double hi = Math.max(lo + 1, Math.ceil(Math.log10(1.05 * Math.max(1,
        all.stream().mapToDouble(h -> h.getMaxValue() / 1000.0).max().orElse(1)))));
    double nines = Math.max(3, all.stream().mapToDouble(h -> Math.ceil(Math.log10(h.getTotalCount()))).max().orElse(3));
    DoubleUnaryOperator x = n -> LEFT + (W - LEFT - RIGHT) * n / nines;
    DoubleUnaryOperator y = ms -> H - BOTTOM - (H - TOP - BOTTOM) * (Math.max(Math.log10(Math.max(ms, 1e-12)), lo) - lo) / (hi - lo);
    StringBuilder svg = new StringBuilder(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
        + "height=\"%d\" font-size=\"11\" font-family=\"sans-serif\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
        + "fill=\"none\" stroke=\"#999\"/>", W, H, LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM));
    for (int e = (int) lo; e <= hi; e++) {
      for (int m : new int[] {1, 2, 5}) {
        double ms = m * Math.pow(10, e);
        if (Math.log10(ms) > hi + 1e-9) break;
        double at = y.applyAsDouble(ms);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>", LEFT, at, W - RIGHT, at))
            .append(text(LEFT - 6, at + 4, ms >= 1000 ? trim(ms / 1000) + " s" : trim(ms) + " ms", "end", ""));
      }
    }
    for (int n = 0; n <= nines; n++) {
      svg.append(text(x.applyAsDouble(n), H - BOTTOM + 16, n == 0 ? "0%" : trim(100 - 100 / Math.pow(10, n)) + "%", "middle", ""));
    }
    double middle = TOP + (H - TOP - BOTTOM) / 2.0;
    svg.append(text(LEFT + (W - LEFT - RIGHT) / 2.0, H - 6, "percentile", "middle", ""))
        .append(text(14, middle, "latency", "middle", String.format(Locale.ROOT, " transform=\"rotate(-90 14 %.0f)\"", middle)));
    double lastPercentile = 100 - 100 / Math.pow(10, nines);
    int entry = 0;
    for (int i = 0; i < runs.size(); i++) {
      for (String kind : kinds) {
        Histogram h = runs.get(i).latencies().get(kind);
        if (h.getTotalCount() == 0) continue;
        String style = String.format(Locale.ROOT, " stroke=\"%s\"%s", COLORS[i % COLORS.length],
            kind.equals(Latencies.PAIR) ? " stroke-dasharray=\"6,4\"" : "");
        String points = Latencies.distribution(h).stream().map(p -> String.format(Locale.ROOT, "%.1f,%.1f",
            x.applyAsDouble(-Math.log10(1 - Math.min(p[0], lastPercentile) / 100)), y.applyAsDouble(p[1])))
            .collect(Collectors.joining(" "));
        double legend = TOP + 14 + 18 * entry++;
        svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke-width=\"1.6\"%s points=\"%s\"/>", style, points))
            .append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke-width=\"2\"%s/>",
                W - RIGHT + 10, legend - 4, W - RIGHT + 34, legend - 4, style))
            .append(text(W - RIGHT + 40, legend, runs.get(i).target() + " " + kind, "start", ""));
      }
    }
    return svg.append("</svg>").toString();
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

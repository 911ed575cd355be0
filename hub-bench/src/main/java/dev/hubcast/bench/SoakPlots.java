package dev.hubcast.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One soak's PNG (XChart): six panels against minutes into the run. The four series {@link Trend}
 * judges (heap after GC, direct memory, threads, open file descriptors), each with the line fitted
 * after the warm-up and its verdict in the title; then the load's p50 and p99 latency and its
 * deliveries per second, per period.
 *
 * <p>Stateless; used by one thread.
 */
final class SoakPlots {
  private static final double MIB = 1024.0 * 1024.0;
  private static final Color BLUE = new Color(0x1f77b4);
  private static final Color RED = new Color(0xd62728);
  private static final Color GREEN = new Color(0x2ca02c);
  private static final Color GRAY = new Color(0x888888);

  private SoakPlots() {}

  /** Writes {@code file} (a {@code .png}). */
  static void write(Soak.Result r, Path file) throws Exception {
    List<XYChart> charts = new ArrayList<>();
    double run = r.plan().seconds();
    List<Soak.Sampled> s = r.samples();
    double[] minutes = s.stream().mapToDouble(x -> x.t() / 60).toArray();
    double[] seconds = s.stream().mapToDouble(Soak.Sampled::t).toArray();

    charts.add(
        judged(r, Soak.Series.HEAP, "MiB", 1 / MIB, seconds, minutes, run, List.of(), List.of()));
    charts.add(
        judged(
            r,
            Soak.Series.DIRECT,
            "MiB",
            1 / MIB,
            seconds,
            minutes,
            run,
            List.of("Netty's pooled allocator"),
            List.of(x -> x.directNettyPooled())));
    charts.add(
        judged(
            r,
            Soak.Series.THREADS,
            "threads",
            1,
            seconds,
            minutes,
            run,
            List.of("live threads", "idle in Jetty's pool"),
            List.of(x -> x.threads(), x -> x.poolIdleThreads())));
    charts.add(
        judged(
            r,
            Soak.Series.FDS,
            "count",
            1,
            seconds,
            minutes,
            run,
            List.of("connections"),
            List.of(x -> x.connections())));

    List<SoakLoad.Tick> ticks = r.ticks();
    double[] tickMinutes = ticks.stream().mapToDouble(k -> k.t() / 60).toArray();
    XYChart latency = chart("Latency per 10 s (from each message's intended send time)", "ms");
    if (ticks.size() > 0) {
      line(latency, "p50", tickMinutes, ticks.stream().mapToDouble(SoakLoad.Tick::p50Ms).toArray())
          .setLineColor(BLUE);
      line(latency, "p99", tickMinutes, ticks.stream().mapToDouble(SoakLoad.Tick::p99Ms).toArray())
          .setLineColor(RED);
    }
    charts.add(latency);
    XYChart rate =
        chart(
            String.format(
                Locale.ROOT,
                "Deliveries/s per period (offered %,.0f; lost %d)",
                r.plan().rate() * r.plan().subscribers(),
                r.load() == null ? -1 : r.load().lost()),
            "deliveries/s");
    if (ticks.size() > 0) {
      double[] perSecond = new double[ticks.size()];
      for (int i = 0; i < perSecond.length; i++) {
        double from = i == 0 ? 0 : ticks.get(i - 1).t();
        perSecond[i] = ticks.get(i).delivered() / Math.max(1e-3, ticks.get(i).t() - from);
      }
      line(rate, "delivered", tickMinutes, perSecond).setLineColor(GREEN);
    }
    charts.add(rate);
    for (XYChart c : charts) {
      c.getStyler().setXAxisMin(0.0);
      c.getStyler().setXAxisMax(run / 60);
    }
    String name = file.toString();
    BitmapEncoder.saveBitmap(
        charts, 3, 2, name.substring(0, name.length() - 4), BitmapEncoder.BitmapFormat.PNG);
  }

  /** A judged series with its fitted line (after the warm-up), and other series beside it. */
  private static XYChart judged(
      Soak.Result r,
      Soak.Series series,
      String unit,
      double scale,
      double[] seconds,
      double[] minutes,
      double run,
      List<String> otherNames,
      List<ToDoubleFunction<SoakServer.Sample>> others) {
    Trend.Verdict v =
        r.verdicts().stream().filter(x -> x.series().equals(series.label)).findFirst().orElse(null);
    String title =
        v == null
            ? series.label
            : String.format(
                Locale.ROOT,
                "%s: %s, %s over the run (bound %s)",
                cap(series.label),
                v.passed() ? "PASS" : "FAIL",
                signed(v.growth(), v.unit()),
                Trend.format(v.bound(), v.unit()));
    XYChart c = chart(title, unit);
    double[] y =
        r.samples().stream()
            .mapToDouble(x -> series.value.applyAsDouble(x.sample()) * scale)
            .toArray();
    if (y.length == 0) {
      return c;
    }
    XYSeries main = line(c, cap(series.label), minutes, y);
    main.setLineColor(BLUE);
    main.setMarkerColor(BLUE);
    main.setMarker(SeriesMarkers.CIRCLE);
    Color[] colors = {GRAY, GREEN};
    for (int i = 0; i < others.size(); i++) {
      ToDoubleFunction<SoakServer.Sample> f = others.get(i);
      double[] o =
          r.samples().stream().mapToDouble(x -> f.applyAsDouble(x.sample()) * scale).toArray();
      if (java.util.Arrays.stream(o).anyMatch(x -> x >= 0)) { // -1: not on this server
        line(c, otherNames.get(i), minutes, o).setLineColor(colors[i % colors.length]);
      }
    }
    double[] raw =
        r.samples().stream().mapToDouble(x -> series.value.applyAsDouble(x.sample())).toArray();
    Trend.Fit fit = Trend.fit(seconds, raw, run);
    if (fit.t().length >= Trend.MIN_SAMPLES) {
      double from = fit.t()[0];
      double to = fit.t()[fit.t().length - 1];
      XYSeries line =
          c.addSeries(
              "fit after warm-up",
              new double[] {from / 60, to / 60},
              new double[] {fit.at(from) * scale, fit.at(to) * scale});
      line.setLineColor(RED);
      line.setMarker(SeriesMarkers.NONE);
      line.setLineStyle(
          new BasicStroke(
              2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
    }
    return c;
  }

  private static XYChart chart(String title, String yTitle) {
    XYChart chart =
        new XYChartBuilder()
            .width(800)
            .height(400)
            .title(title)
            .xAxisTitle("minutes")
            .yAxisTitle(yTitle)
            .build();
    XYStyler st = chart.getStyler();
    st.setLegendPosition(Styler.LegendPosition.OutsideS);
    st.setLegendLayout(Styler.LegendLayout.Horizontal);
    st.setChartBackgroundColor(Color.WHITE);
    st.setPlotBackgroundColor(Color.WHITE);
    st.setPlotGridLinesColor(new Color(0xdddddd));
    st.setAntiAlias(true);
    st.setYAxisDecimalPattern("#,##0.#");
    st.setXAxisDecimalPattern("0.#");
    st.setYAxisMin(0.0);
    return chart;
  }

  private static XYSeries line(XYChart c, String name, double[] x, double[] y) {
    double[] clean = y.clone();
    for (int i = 0; i < clean.length; i++) {
      if (Double.isNaN(clean[i]) || clean[i] < 0) {
        clean[i] = 0;
      }
    }
    XYSeries s = c.addSeries(name, x, clean);
    s.setMarker(SeriesMarkers.NONE);
    return s;
  }

  private static String cap(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static String signed(double v, String unit) {
    return (v < 0 ? "-" : "+") + Trend.format(Math.abs(v), unit);
  }
}

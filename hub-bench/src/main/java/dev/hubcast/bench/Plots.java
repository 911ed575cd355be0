package dev.hubcast.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The sweep's PNG plots in {@code docs/img/}, drawn by XChart: p99 latency against offered
 * deliveries/s at each subscriber count, and the max sustainable deliveries/s against subscribers.
 * Only the one-process points; a rate with several runs is drawn at its median run.
 *
 * <p>Confined to the sweep's thread.
 */
final class Plots {
  private static final Color[] COLORS = {
    new Color(0x1f77b4),
    new Color(0xd62728),
    new Color(0x2ca02c),
    new Color(0xff7f0e),
    new Color(0x9467bd),
    new Color(0x8c564b),
    new Color(0xe377c2)
  };

  private final List<Sweep.Point> points; // one server process each
  private final List<String> servers;
  private final List<Integer> subscriberCounts;

  Plots(List<Sweep.Point> points, List<String> servers, List<Integer> subscriberCounts) {
    this.points = points;
    this.servers = servers;
    this.subscriberCounts = subscriberCounts;
  }

  /** Writes {@code p99-vs-offered-<N>.png} and {@code throughput-vs-subscribers.png}. */
  void write(Path img) throws Exception {
    for (int s : subscriberCounts) {
      latencyPlot(s, img.resolve("p99-vs-offered-" + s + ".png"));
    }
    throughputPlot(img.resolve("throughput-vs-subscribers.png"));
  }

  private void latencyPlot(int subscribers, Path file) throws Exception {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(560)
            .title(
                String.format(
                    Locale.ROOT, "p99 latency, %,d subscribers, 64-byte messages", subscribers))
            .xAxisTitle("offered deliveries/s")
            .yAxisTitle("p99 latency (ms)")
            .build();
    style(chart);
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisLogarithmic(true);
    int i = 0;
    for (String server : servers) {
      List<Sweep.Point> ps =
          Points.rates(points, server, subscribers).stream()
              .map(Points::median)
              .filter(p -> !Double.isNaN(p.load().p99Ms()))
              .toList();
      if (ps.isEmpty()) {
        i++;
        continue;
      }
      double[] x = ps.stream().mapToDouble(p -> p.rate() * subscribers).toArray();
      double[] y = ps.stream().mapToDouble(p -> Math.max(0.01, p.load().p99Ms())).toArray();
      XYSeries series = chart.addSeries(server, x, y);
      series.setLineColor(COLORS[i % COLORS.length]);
      series.setMarkerColor(COLORS[i % COLORS.length]);
      series.setMarker(SeriesMarkers.CIRCLE);
      i++;
    }
    double[] lx = {minOffered(subscribers), maxOffered(subscribers)};
    XYSeries limit = chart.addSeries("p99 limit, 50 ms", lx, new double[] {50, 50});
    limit.setLineColor(Color.GRAY);
    limit.setMarker(SeriesMarkers.NONE);
    limit.setLineStyle(
        new BasicStroke(
            1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
    save(chart, file);
  }

  private double minOffered(int subscribers) {
    return points.stream()
        .filter(p -> p.subscribers() == subscribers)
        .mapToDouble(p -> p.rate() * subscribers)
        .min()
        .orElse(1);
  }

  private double maxOffered(int subscribers) {
    return points.stream()
        .filter(p -> p.subscribers() == subscribers)
        .mapToDouble(p -> p.rate() * subscribers)
        .max()
        .orElse(10);
  }

  private void throughputPlot(Path file) throws Exception {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(560)
            .title("Max sustainable deliveries/s (p99 ≤ 50 ms, ≥ 99.9% delivered)")
            .xAxisTitle("subscribers")
            .yAxisTitle("deliveries/s")
            .build();
    style(chart);
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisMin(0.0);
    int i = 0;
    for (String server : servers) {
      double[] x = subscriberCounts.stream().mapToDouble(Integer::doubleValue).toArray();
      double[] y =
          subscriberCounts.stream()
              .mapToDouble(s -> Points.maxSustainable(points, server, s))
              .toArray();
      XYSeries series = chart.addSeries(server, x, y);
      series.setLineColor(COLORS[i % COLORS.length]);
      series.setMarkerColor(COLORS[i % COLORS.length]);
      series.setMarker(SeriesMarkers.CIRCLE);
      i++;
    }
    save(chart, file);
  }

  private static void style(XYChart chart) {
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesColor(new Color(0xdddddd));
    chart.getStyler().setAntiAlias(true);
    chart.getStyler().setYAxisDecimalPattern("#,##0.##");
    chart.getStyler().setXAxisDecimalPattern("#,##0");
  }

  private static void save(XYChart chart, Path file) throws Exception {
    String name = file.toString();
    BitmapEncoder.saveBitmap(
        chart, name.substring(0, name.length() - 4), BitmapEncoder.BitmapFormat.PNG);
  }
}

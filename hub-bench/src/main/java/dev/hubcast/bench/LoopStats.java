package dev.hubcast.bench;

import io.netty.channel.EventLoop;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Per event loop of the load generator: the latency histograms (one per node) and the counters of
 * the subscribers it serves.
 *
 * <p>Confined to its event loop, but for {@link #progress()}, which any thread may read; the main
 * thread reads the rest through a {@link #snapshot()} taken on the loop.
 */
final class LoopStats {
  /** The highest latency a histogram holds; longer ones count as this. */
  static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(120);

  private static final VarHandle PROGRESS;

  static {
    try {
      PROGRESS = MethodHandles.lookup().findVarHandle(LoopStats.class, "progress", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final EventLoop loop;
  final Histogram[] histograms;
  long delivered;
  long reordered;
  long duplicates;

  @SuppressWarnings("unused") // through PROGRESS: delivered, readable from the main thread
  private long progress;

  LoopStats(EventLoop loop, int nodes) {
    this.loop = loop;
    this.histograms = new Histogram[nodes];
    for (int i = 0; i < nodes; i++) {
      histograms[i] = new Histogram(HIGHEST_MICROS, 3);
    }
  }

  /** One more delivery in the measured window. */
  void count() {
    delivered++;
    PROGRESS.setOpaque(this, delivered);
  }

  /** The deliveries counted so far, from any thread (maybe a little behind). */
  long progress() {
    return (long) PROGRESS.getOpaque(this);
  }

  /** A copy, taken on the loop. */
  LoopStats snapshot() {
    LoopStats copy = new LoopStats(loop, histograms.length);
    for (int i = 0; i < histograms.length; i++) {
      copy.histograms[i].add(histograms[i]);
    }
    copy.delivered = delivered;
    copy.reordered = reordered;
    copy.duplicates = duplicates;
    return copy;
  }
}

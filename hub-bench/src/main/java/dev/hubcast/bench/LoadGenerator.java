package dev.hubcast.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * The {@code load} command: {@code N} subscriber connections and {@code K} publishers that send at
 * a fixed total rate, open loop. Each message carries its publisher, sequence number and
 * <em>intended</em> send time (the schedule's, not the moment it left), so a stalled server or
 * publisher shows up as latency instead of slowing the offered load down. Every delivery to a
 * subscriber is timed end to end into an HdrHistogram; loss and reordering are found from the
 * sequence numbers.
 *
 * <p>Over WebSocket ({@code ws://} URLs) a publisher sends text frames on its connection. Over
 * Hubcast's Server-Sent Events ({@code http://} URLs, {@code hub-sse}) every subscriber reads an
 * event stream, and a publisher opens a stream too (for its token; what it reads is dropped, as a
 * WebSocket publisher drops what it is sent) and {@code POST}s each message on a second connection
 * with that token. The message and the timing are the same on both.
 *
 * <p>Timeline: connect everyone, warm up, measure (only messages whose intended send time falls in
 * the measurement window count), stop sending, then wait a short drain for messages still on their
 * way (late ones count as lost). {@link Connector} opens the connections; each event loop tallies
 * its subscribers' deliveries in a {@link LoopStats}.
 *
 * <p>Runs on the calling thread, which blocks until the run ends; Netty event loops do the I/O.
 */
final class LoadGenerator {

  /**
   * What to run. With several {@code urls} (the nodes of one hub), subscriber {@code i} connects to
   * {@code urls[i % n]} and the publishers to the first; latency is also kept per node. The URLs
   * are all {@code ws://} (WebSocket) or all {@code http://} (event streams and {@code POST}).
   */
  record Config(
      List<URI> urls,
      int subscribers,
      int publishers,
      double rate,
      int size,
      Duration duration,
      Duration warmup,
      Duration drain,
      int threads,
      int perAddress,
      boolean quiet) {
    Config {
      urls = List.copyOf(urls);
      if (urls.isEmpty()) {
        throw new IllegalArgumentException("urls: none");
      }
      String scheme = urls.get(0).getScheme();
      for (URI u : urls) {
        if (!("ws".equals(u.getScheme()) || "http".equals(u.getScheme()))
            || !u.getScheme().equals(scheme)) {
          throw new IllegalArgumentException(
              "urls: " + urls + " (expected: all ws://... or all http://...)");
        }
      }
      if (subscribers < 0 || publishers < 0 || publishers > Payload.MAX_PUBLISHERS) {
        throw new IllegalArgumentException(
            "subscribers: " + subscribers + ", publishers: " + publishers);
      }
      if (rate > 0 && publishers == 0) {
        throw new IllegalArgumentException("publishers: 0 (expected: >= 1 when --rate > 0)");
      }
      if (size < Payload.MIN_SIZE) {
        throw new IllegalArgumentException(
            "size: " + size + " (expected: >= " + Payload.MIN_SIZE + ")");
      }
      if (threads < 1 || perAddress < 1) {
        throw new IllegalArgumentException("threads: " + threads + ", perAddress: " + perAddress);
      }
    }

    /** The first node's address: the publishers'. */
    URI url() {
      return urls.get(0);
    }

    /** Event streams and {@code POST}s ({@code http://}), not WebSocket. */
    boolean eventStreams() {
      return Connector.isEventStream(url());
    }
  }

  private static final long BASE = System.nanoTime();
  private static final long HIGHEST_MICROS = LoopStats.HIGHEST_MICROS;

  private final Config config;
  private final Consumer<String> out;
  private final FastThreadLocal<LoopStats> stats = new FastThreadLocal<>();
  private final List<LoopStats> allStats = new CopyOnWriteArrayList<>();
  private final AtomicInteger disconnects = new AtomicInteger();
  private final AtomicLong postsRefused = new AtomicLong();
  private volatile boolean stopping;
  // Relative to BASE; set before any message is sent, read by every event loop.
  private volatile long measureStart;
  private volatile long measureEnd;

  private LoadGenerator(Config config, Consumer<String> out) {
    this.config = config;
    this.out = out;
  }

  /** Runs the load and returns its result; progress lines go to {@code out}. */
  static LoadResult run(Config config, Consumer<String> out) throws Exception {
    return new LoadGenerator(config, out).run();
  }

  static long now() {
    return System.nanoTime() - BASE;
  }

  private LoadResult run() throws Exception {
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    EventLoopGroup subscriberLoops = new MultiThreadIoEventLoopGroup(config.threads(), io);
    EventLoopGroup publisherLoop = new MultiThreadIoEventLoopGroup(1, io);
    List<Channel> channels = new ArrayList<>();
    try {
      Bootstrap base =
          new Bootstrap()
              .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
              .option(ChannelOption.TCP_NODELAY, true)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
      long connectStart = System.nanoTime();
      List<Channel> subs = new ArrayList<>();
      int nodes = config.urls().size();
      Connector connector = new Connector(config.perAddress());
      for (int node = 0; node < nodes; node++) {
        int count = config.subscribers() / nodes + (node < config.subscribers() % nodes ? 1 : 0);
        int thisNode = node;
        subs.addAll(
            connector.connect(
                base.clone(subscriberLoops),
                config.urls().get(node),
                count,
                subs.size(),
                "subscribers",
                ch -> new Subscriber(ch.eventLoop(), thisNode)));
      }
      channels.addAll(subs);
      List<Channel> pubs =
          connector.connect(
              base.clone(publisherLoop),
              config.url(),
              config.publishers(),
              config.subscribers(),
              "publishers",
              ch -> new Discard());
      channels.addAll(pubs);
      List<Channel> senders = pubs;
      if (config.eventStreams()) {
        // A stream's POSTs go on their own connection: the stream's is taken by its response.
        List<String> tokens = new ArrayList<>();
        for (Channel ch : pubs) {
          tokens.add(ch.pipeline().get(SseClientHandler.class).token());
        }
        senders =
            connector.connectPosters(
                base.clone(publisherLoop),
                config.url(),
                tokens,
                config.subscribers() + pubs.size(),
                postsRefused);
        channels.addAll(senders);
        for (Channel ch : senders) {
          ch.closeFuture()
              .addListener(
                  f -> {
                    if (!stopping) {
                      disconnects.incrementAndGet();
                    }
                  });
        }
      }
      double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
      out.accept(
          String.format(
              Locale.ROOT,
              "CONNECTED subscribers=%d publishers=%d seconds=%.2f transport=%s protocol=%s",
              subs.size(),
              pubs.size(),
              connectSeconds,
              epoll ? "epoll" : "nio",
              config.eventStreams() ? "sse" : "websocket"));

      long start = now() + TimeUnit.MILLISECONDS.toNanos(50);
      measureStart = start + config.warmup().toNanos();
      measureEnd = measureStart + config.duration().toNanos();
      List<Publisher> publishers = new ArrayList<>();
      if (config.rate() > 0) {
        double interval = 1e9 / config.rate();
        for (int p = 0; p < pubs.size(); p++) {
          Publisher pub = new Publisher(senders.get(p), p, pubs.size(), start, interval);
          publishers.add(pub);
          pub.channel.eventLoop().execute(pub::tick);
        }
      }

      sleepUntil(measureStart);
      long cpu0 = processCpuNanos();
      long wall0 = System.nanoTime();
      out.accept("MEASURE_START");
      sleepUntil(measureEnd);
      long cpu1 = processCpuNanos();
      long wall1 = System.nanoTime();
      out.accept("MEASURE_END");

      long sent = 0;
      for (Publisher p : publishers) {
        // A late publisher may still owe messages due in the window: wait until it has sent them.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long n;
        while ((n = onLoop(p.channel.eventLoop(), () -> p.finished ? p.sentInWindow : -1)) < 0
            && System.nanoTime() < deadline) {
          Thread.sleep(1);
        }
        sent += Math.max(0, n);
      }
      long expected = sent * subs.size();
      long drainUntil = System.nanoTime() + config.drain().toNanos();
      while (System.nanoTime() < drainUntil && windowDelivered() < expected) {
        Thread.sleep(5);
      }
      stopping = true;
      if (postsRefused.get() > 0) {
        out.accept("POSTS_REFUSED " + postsRefused.get());
      }

      Histogram merged = new Histogram(HIGHEST_MICROS, 3);
      List<Histogram> byNode = new ArrayList<>();
      for (int node = 0; node < nodes; node++) {
        byNode.add(new Histogram(HIGHEST_MICROS, 3));
      }
      long delivered = 0;
      long reordered = 0;
      long duplicates = 0;
      for (LoopStats s : allStats) {
        LoopStats copy = onLoop(s.loop, s::snapshot);
        for (int node = 0; node < nodes; node++) {
          merged.add(copy.histograms[node]);
          byNode.get(node).add(copy.histograms[node]);
        }
        delivered += copy.delivered;
        reordered += copy.reordered;
        duplicates += copy.duplicates;
      }
      double seconds = config.duration().toNanos() / 1e9;
      double loadgenCpu = (cpu1 - cpu0) / (double) (wall1 - wall0);
      return new LoadResult(
          config,
          subs.size(),
          sent,
          expected,
          delivered,
          delivered / seconds,
          config.rate() * subs.size(),
          expected == 0 ? 1.0 : delivered / (double) expected,
          reordered,
          duplicates,
          disconnects.get(),
          merged,
          byNode,
          loadgenCpu,
          Runtime.getRuntime().availableProcessors(),
          connectSeconds,
          epoll);
    } finally {
      stopping = true;
      for (Channel c : channels) {
        c.close();
      }
      Future<?> a = subscriberLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      Future<?> b = publisherLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      a.awaitUninterruptibly(10, TimeUnit.SECONDS);
      b.awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
  }

  private long windowDelivered() {
    long sum = 0;
    for (LoopStats s : allStats) {
      sum += s.progress();
    }
    return sum;
  }

  private static <T> T onLoop(EventLoop loop, java.util.concurrent.Callable<T> task)
      throws Exception {
    return loop.submit(task).get(30, TimeUnit.SECONDS);
  }

  private static void sleepUntil(long relativeNanos) throws InterruptedException {
    long left;
    while ((left = relativeNanos - now()) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
    }
  }

  static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean) {
      return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
    }
    return 0;
  }

  private LoopStats statsOf(EventLoop loop) {
    LoopStats s = stats.get();
    if (s == null) {
      s = new LoopStats(loop, config.urls().size());
      stats.set(s);
      allStats.add(s);
    }
    return s;
  }

  /** One subscriber: times each delivery and checks each publisher's sequence. Loop-confined. */
  private final class Subscriber implements MessageSink {
    private final LoopStats loopStats;
    private final Histogram histogram;
    private long[] lastSequence = new long[0];

    Subscriber(EventLoop loop, int node) {
      // Created in initChannel, on the channel's loop.
      this.loopStats = statsOf(loop);
      this.histogram = loopStats.histograms[node];
    }

    @Override
    public void onMessage(ByteBuf in, int at, int length, long receivedNanos) {
      int publisher = Payload.publisher(in, at, length);
      if (publisher < 0) {
        return;
      }
      long seq = Payload.sequence(in, at);
      long sent = Payload.sendNanos(in, at);
      if (publisher >= lastSequence.length) {
        int old = lastSequence.length;
        lastSequence = java.util.Arrays.copyOf(lastSequence, publisher + 1);
        java.util.Arrays.fill(lastSequence, old, lastSequence.length, -1);
      }
      long last = lastSequence[publisher];
      if (seq == last) {
        loopStats.duplicates++;
      } else if (seq < last) {
        loopStats.reordered++;
      } else {
        lastSequence[publisher] = seq;
      }
      if (sent >= measureStart && sent < measureEnd) {
        long latency = (receivedNanos - BASE - sent) / 1000;
        histogram.recordValue(Math.max(0, Math.min(latency, HIGHEST_MICROS)));
        loopStats.count();
      }
    }

    @Override
    public void onClosed(int code) {
      if (!stopping) {
        disconnects.incrementAndGet();
      }
    }
  }

  /** A publisher reads what the server sends it, and drops it. */
  private final class Discard implements MessageSink {
    @Override
    public void onMessage(ByteBuf in, int at, int length, long receivedNanos) {}

    @Override
    public void onClosed(int code) {
      if (!stopping) {
        disconnects.incrementAndGet();
      }
    }
  }

  /**
   * One publisher: message {@code n} of publisher {@code p} of {@code k} is due at {@code start +
   * (n * k + p) * interval}; each tick sends everything due (catching up after a stall), then
   * sleeps until the next one is due: a masked text frame on its WebSocket, or a {@code POST} on
   * its event stream's sending connection. Loop-confined.
   */
  private final class Publisher {
    final Channel channel;
    final SsePoster poster; // null on WebSocket
    final int id;
    final int count;
    final long start;
    final double interval;
    long sequence;
    long sentInWindow;
    boolean finished; // every message due before the end of the window is sent

    Publisher(Channel channel, int id, int count, long start, double interval) {
      this.channel = channel;
      this.poster = channel.pipeline().get(SsePoster.class);
      this.id = id;
      this.count = count;
      this.start = start;
      this.interval = interval;
    }

    long due(long n) {
      return start + (long) ((n * count + id) * interval);
    }

    void tick() {
      if (!channel.isActive()) {
        finished = true;
        return;
      }
      long now = now();
      long due = due(sequence);
      int size = config.size();
      int header = size < 126 ? 6 : size <= 0xFFFF ? 8 : 14;
      boolean wrote = false;
      while (due <= now && due < measureEnd) {
        if (poster != null) {
          ByteBuf body = channel.alloc().buffer(size);
          Payload.write(body, size, id, sequence, due);
          channel.write(poster.post(body), channel.voidPromise());
        } else {
          ByteBuf buf = channel.alloc().buffer(header + size);
          WsClientHandler.writeClientHeader(buf, 0x1, size);
          int at = buf.writerIndex();
          Payload.write(buf, size, id, sequence, due);
          WsClientHandler.maskPayload(buf, at, size);
          channel.write(buf, channel.voidPromise());
        }
        wrote = true;
        if (due >= measureStart) {
          sentInWindow++;
        }
        sequence++;
        due = due(sequence);
      }
      if (wrote) {
        channel.flush();
      }
      if (due < measureEnd) {
        channel.eventLoop().schedule(this::tick, due - now(), TimeUnit.NANOSECONDS);
      } else {
        finished = true;
      }
    }
  }
}

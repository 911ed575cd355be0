package dev.hubcast.bench;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
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
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The soak's load, in a process of its own (started by {@link Soak}) against a {@link SoakServer}:
 *
 * <ul>
 *   <li>{@code subscribers} connections, spread over {@code rooms} rooms ({@code ?room=rK});
 *   <li>one publisher sending {@link Payload} messages of {@code size} bytes at {@code rate} per
 *       second to everyone, open loop (message {@code n} is due at {@code start + n / rate}, and
 *       latency is measured from that time), and one short message a second to each room;
 *   <li>every period (10 s): {@code churn} subscribers leave (half with a close frame, half by
 *       dropping the TCP connection) and as many new ones connect; {@code moves} subscribers leave
 *       their room and join another;
 *   <li>every {@code stallEvery} seconds (from 5 s in), one more client connects with a small
 *       receive buffer, joins room {@code stalled} and stops reading for {@code stallFor} seconds;
 *       then it reads again, and the server must have closed it by then (the hub's slow-consumer
 *       policy). It is given {@code stallCloseWithin} seconds after resuming to see the end. While
 *       a client is stalled the publisher also sends {@link #STALL_FEED_RATE} messages a second of
 *       {@link #STALL_FEED_SIZE} bytes to room {@code stalled}: on the 64-byte traffic alone (6.6
 *       KB/s at 100 messages/s) the kernel's socket buffers, some 350 KB on loopback, would take
 *       about a minute to fill before the outbox even began to, and the hub's idle timeout (60 s)
 *       would end the connection first.
 * </ul>
 *
 * <p>It prints {@code START} once connected (its clock's zero), a {@code TICK {json}} ({@link
 * Tick}) at the end of each period, and {@code DONE {json}} ({@link Done}) at the end, then exits.
 * The run's configuration is one JSON argument ({@link Config}).
 *
 * <p>The main thread runs the timeline; Netty event loops do the I/O, each tallying its
 * subscribers' deliveries in a {@link Tally} that the main thread swaps out on the loop.
 */
final class SoakLoad {

  /** A run of the load. Durations in seconds. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Config(
      String url,
      int subscribers,
      double rate,
      int size,
      int rooms,
      int churn,
      int moves,
      double period,
      double stallEvery,
      double stallFor,
      double stallCloseWithin,
      double duration,
      double warmup,
      int threads) {}

  /**
   * One period's figures, taken {@code t} seconds after the start (the period's end, or later when
   * the churn before it took longer than a period); the totals are since the start.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Tick(
      double t,
      int connected,
      long sent,
      long delivered,
      long lost,
      long duplicates,
      long reordered,
      long roomDeliveries,
      double p50Ms,
      double p99Ms,
      double maxMs,
      long churnedTotal,
      long movesTotal,
      long unexpectedClosesTotal,
      int stallsStarted,
      int stallsClosed) {}

  /** One stalled client: when it stopped and resumed reading, and when and how it ended. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Stall(double stoppedAt, double resumedAt, double closedAt, int code, long bytesAfter) {
    boolean closed() {
      return !Double.isNaN(closedAt);
    }
  }

  /**
   * The run: totals, the latency of the deliveries after the warm-up, and every stall. {@code lost}
   * counts the gaps in each subscriber's sequence and, at the end, what a subscriber still
   * connected had not received of what was sent.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Done(
      double seconds,
      long sent,
      long delivered,
      long lost,
      long duplicates,
      long reordered,
      long roomDeliveries,
      double p50Ms,
      double p99Ms,
      double p999Ms,
      double maxMs,
      long churned,
      long moves,
      long unexpectedCloses,
      String unexpectedCodes,
      List<Stall> stalls) {}

  /** The size of the messages to room {@code stalled} while a client is stalled. */
  static final int STALL_FEED_SIZE = 16 * 1024;

  /** How many of them a second: 320 KiB/s, a 1 MiB outbox full within seconds. */
  static final int STALL_FEED_RATE = 20;

  private static final long BASE = System.nanoTime();
  private static final int PER_ADDRESS = 20_000;

  private final Config config;
  private final URI url;
  private final FastThreadLocal<Tally> tallies = new FastThreadLocal<>();
  private final List<Tally> allTallies = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Subscriber> fresh = new ConcurrentLinkedQueue<>();
  private final Map<Integer, AtomicLong> unexpectedCodes = new ConcurrentHashMap<>();
  private final AtomicLong unexpected = new AtomicLong();
  private final AtomicInteger stalledNow = new AtomicInteger();
  private final Random random = new Random(20261207);
  private volatile boolean stopping;

  private SoakLoad(Config config) {
    this.config = config;
    this.url = URI.create(config.url());
  }

  public static void main(String[] args) throws Exception {
    Config config = Json.read(args[0], Config.class);
    new SoakLoad(config).run();
    System.exit(0);
  }

  private static long now() {
    return System.nanoTime() - BASE;
  }

  private static void emit(String line) {
    System.out.println(line);
    System.out.flush();
  }

  private void run() throws Exception {
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    EventLoopGroup loops = new MultiThreadIoEventLoopGroup(config.threads(), io);
    EventLoopGroup publisherLoop = new MultiThreadIoEventLoopGroup(1, io);
    Bootstrap base =
        new Bootstrap()
            .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    Connector connector = new Connector(PER_ADDRESS);
    List<Subscriber> subs = new ArrayList<>();
    List<StalledClient> stalled = new ArrayList<>();
    Channel publisherChannel = null;
    try {
      connectSubscribers(connector, base.clone(loops), config.subscribers(), subs);
      publisherChannel =
          connector
              .connect(base.clone(publisherLoop), url, 1, 0, "publisher", ch -> new Discard())
              .get(0);
      long start = now() + TimeUnit.MILLISECONDS.toNanos(50);
      emit("START subscribers=" + subs.size());
      Publisher publisher = new Publisher(publisherChannel, start, 1e9 / config.rate());
      publisherChannel.eventLoop().execute(publisher::tick);
      publisherChannel
          .eventLoop()
          .scheduleAtFixedRate(
              publisher::roomTick, 1_000_000_000L, 1_000_000_000L, TimeUnit.NANOSECONDS);
      publisherChannel
          .eventLoop()
          .scheduleAtFixedRate(
              publisher::stallFeed, 0, 1_000_000_000L / STALL_FEED_RATE, TimeUnit.NANOSECONDS);

      long period = seconds(config.period());
      long end = start + seconds(config.duration());
      long nextStall = start + seconds(5);
      long churned = 0;
      long moves = 0;
      Histogram steady = new Histogram(LoopStats.HIGHEST_MICROS, 3);
      long sent0 = 0;
      long[] totals = new long[5]; // delivered, lost, duplicates, reordered, room deliveries
      for (long tick = start + period; tick <= end; tick += period) {
        while (now() < tick) {
          // stalls start and resume on their own schedule, between the ticks
          long wake = Math.min(tick, nextStall);
          for (StalledClient s : stalled) {
            if (s.resumeAt > now()) {
              wake = Math.min(wake, s.resumeAt);
            }
          }
          sleepUntil(wake);
          if (now() >= nextStall && nextStall < end - seconds(config.stallFor())) {
            stalled.add(stall(connector, base.clone(loops)));
            nextStall += seconds(config.stallEvery());
          } else if (now() >= nextStall) {
            nextStall = Long.MAX_VALUE; // too late in the run to see one through
          }
          for (StalledClient s : stalled) {
            if (!s.resumed && now() >= s.resumeAt) {
              s.resume();
            }
          }
        }
        // The period's figures first, then the churn and moves of the next one.
        Histogram interval = new Histogram(LoopStats.HIGHEST_MICROS, 3);
        long[] counts = swapTallies(interval);
        for (int i = 0; i < counts.length; i++) {
          totals[i] += counts[i];
        }
        double t = (now() - start) / 1e9; // the tick itself, or later when the churn ran late
        if (t > config.warmup()) {
          steady.add(interval);
        }
        long sent = onLoop(publisherChannel.eventLoop(), () -> publisher.sequence);
        subs.removeIf(s -> !s.channel.isActive() && s.closedByUs);
        emit(
            "TICK "
                + Json.write(
                    new Tick(
                        t,
                        (int) subs.stream().filter(s -> s.channel.isActive()).count(),
                        sent - sent0,
                        counts[0],
                        counts[1],
                        counts[2],
                        counts[3],
                        counts[4],
                        millis(interval, 50),
                        millis(interval, 99),
                        interval.getTotalCount() == 0 ? Double.NaN : interval.getMaxValue() / 1e3,
                        churned,
                        moves,
                        unexpected.get(),
                        stalled.size(),
                        (int) stalled.stream().filter(s -> s.closedAt >= 0).count())));
        sent0 = sent;
        if (tick + period > end) {
          break;
        }
        // The oldest leave (each lives subscribers / churn periods), half with a close frame.
        int left = 0;
        for (Subscriber s : subs) {
          if (left == config.churn()) {
            break;
          }
          if (!s.closedByUs) {
            s.leave(left % 2 == 0);
            left++;
          }
        }
        churned += left;
        connectSubscribers(connector, base.clone(loops), config.churn(), subs);
        for (int i = 0; i < config.moves(); i++) {
          Subscriber s = subs.get(random.nextInt(subs.size()));
          if (s.channel.isActive() && !s.closedByUs) {
            int to = (s.room + 1 + random.nextInt(config.rooms() - 1)) % config.rooms();
            s.send("L r" + s.room);
            s.send("J r" + to);
            s.room = to;
            moves++;
          }
        }
      }
      // The end: stop sending, then give the last messages 2 s to arrive.
      stopping = true;
      long lastSequence = onLoop(publisherChannel.eventLoop(), publisher::stop);
      long drainUntil = now() + seconds(2);
      List<Subscriber> live = subs.stream().filter(s -> !s.closedByUs).toList();
      while (now() < drainUntil && !allCaughtUp(lastSequence)) {
        Thread.sleep(10); // polling the loops' progress until the deadline
      }
      long[] counts = swapTallies(new Histogram(LoopStats.HIGHEST_MICROS, 3));
      for (int i = 0; i < counts.length; i++) {
        totals[i] += counts[i];
      }
      long tail = 0;
      for (Subscriber s : live) {
        tail += onLoop(s.channel.eventLoop(), () -> s.missingAfter(lastSequence));
      }
      List<Stall> stalls = new ArrayList<>();
      for (StalledClient s : stalled) {
        if (!s.resumed) {
          s.resume();
        }
      }
      long stallDeadline = now() + seconds(config.stallCloseWithin());
      while (now() < stallDeadline && stalled.stream().anyMatch(s -> s.closedAt < 0)) {
        Thread.sleep(10); // polling the stalled clients until the deadline
      }
      for (StalledClient s : stalled) {
        stalls.add(s.result(start));
      }
      Map<Integer, Long> codes = new TreeMap<>();
      unexpectedCodes.forEach((code, n) -> codes.put(code, n.get()));
      emit(
          "DONE "
              + Json.write(
                  new Done(
                      (now() - start) / 1e9,
                      lastSequence,
                      totals[0],
                      totals[1] + tail,
                      totals[2],
                      totals[3],
                      totals[4],
                      millis(steady, 50),
                      millis(steady, 99),
                      millis(steady, 99.9),
                      steady.getTotalCount() == 0 ? Double.NaN : steady.getMaxValue() / 1e3,
                      churned,
                      moves,
                      unexpected.get(),
                      codes.toString(),
                      stalls)));
    } finally {
      stopping = true;
      for (Subscriber s : subs) {
        s.channel.close();
      }
      for (StalledClient s : stalled) {
        s.channel.close();
      }
      if (publisherChannel != null) {
        publisherChannel.close();
      }
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
      publisherLoop
          .shutdownGracefully(0, 1, TimeUnit.SECONDS)
          .awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
  }

  /** Connects {@code count} subscribers, each to a room in turn, and adds them to {@code subs}. */
  private void connectSubscribers(
      Connector connector, Bootstrap bootstrap, int count, List<Subscriber> subs) throws Exception {
    int[] perRoom = new int[config.rooms()];
    for (int i = 0; i < count; i++) {
      perRoom[random.nextInt(config.rooms())]++;
    }
    for (int room = 0; room < config.rooms(); room++) {
      if (perRoom[room] == 0) {
        continue;
      }
      int r = room;
      URI roomUrl = url.resolve("/?room=r" + room);
      connector.connect(
          bootstrap, roomUrl, perRoom[room], 0, "subscribers", ch -> new Subscriber(ch, r));
      Subscriber s;
      while ((s = fresh.poll()) != null) {
        subs.add(s);
      }
    }
  }

  /** A client that connects, then stops reading until its {@code resumeAt}. */
  private StalledClient stall(Connector connector, Bootstrap bootstrap) throws Exception {
    StalledClient[] made = new StalledClient[1];
    // A small receive buffer, so that the server's writes back up into its outbox soon.
    Bootstrap small = bootstrap.clone().option(ChannelOption.SO_RCVBUF, 4096);
    Channel ch =
        connector
            .connect(
                small,
                url.resolve("/?room=stalled"),
                1,
                0,
                "stalled client",
                c -> made[0] = new StalledClient(c))
            .get(0);
    StalledClient s = made[0];
    onLoop(
        ch.eventLoop(),
        () -> {
          ch.pipeline().addFirst(s.gate);
          ch.config().setAutoRead(false);
          return null;
        });
    s.stoppedAt = now();
    s.resumeAt = s.stoppedAt + seconds(config.stallFor());
    stalledNow.incrementAndGet();
    return s;
  }

  private boolean allCaughtUp(long lastSequence) throws Exception {
    for (Tally t : allTallies) {
      if (onLoop(t.loop, () -> t.behind(lastSequence)) > 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Takes every loop's figures for the period (and its latency into {@code interval}), leaving them
   * at zero: delivered, lost, duplicates, reordered, room deliveries.
   */
  private long[] swapTallies(Histogram interval) throws Exception {
    long[] sum = new long[5];
    for (Tally t : allTallies) {
      long[] c = onLoop(t.loop, () -> t.swap(interval));
      for (int i = 0; i < sum.length; i++) {
        sum[i] += c[i];
      }
    }
    return sum;
  }

  private static double millis(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e3;
  }

  private static long seconds(double s) {
    return (long) (s * 1e9);
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

  private static ByteBuf frame(int opcode, byte[] payload) {
    ByteBuf buf = Unpooled.buffer(14 + payload.length);
    WsClientHandler.writeClientFrame(
        buf, opcode, Unpooled.wrappedBuffer(payload), 0, payload.length);
    return buf;
  }

  /** One event loop's figures for the current period. Confined to its loop. */
  private static final class Tally {
    final EventLoop loop;
    final List<Subscriber> members = new ArrayList<>();
    Histogram latency = new Histogram(LoopStats.HIGHEST_MICROS, 3);
    long delivered;
    long lost;
    long duplicates;
    long reordered;
    long roomDeliveries;

    Tally(EventLoop loop) {
      this.loop = loop;
    }

    long[] swap(Histogram into) {
      into.add(latency); // called on each loop in turn, never two at once
      latency.reset();
      long[] c = {delivered, lost, duplicates, reordered, roomDeliveries};
      delivered = lost = duplicates = reordered = roomDeliveries = 0;
      return c;
    }

    /** How many of this loop's connected subscribers have not yet seen {@code lastSequence}. */
    long behind(long lastSequence) {
      return members.stream()
          .filter(s -> s.channel.isActive() && !s.closedByUs && s.last < lastSequence - 1)
          .count();
    }
  }

  private Tally tallyOf(EventLoop loop) {
    Tally t = tallies.get();
    if (t == null) {
      t = new Tally(loop);
      tallies.set(t);
      allTallies.add(t);
    }
    return t;
  }

  /**
   * One subscriber: times each delivery, checks the publisher's sequence and counts room messages.
   * Its sink runs on its loop; {@link #room}, {@link #leave} and {@link #send} are the main
   * thread's.
   */
  private final class Subscriber implements MessageSink {
    final Channel channel;
    final Tally tally;
    int room;
    volatile boolean closedByUs;
    long last = -1; // loop-confined

    Subscriber(Channel channel, int room) {
      // Made in initChannel, on the channel's loop.
      this.channel = channel;
      this.room = room;
      this.tally = tallyOf(channel.eventLoop());
      tally.members.add(this);
      fresh.add(this);
    }

    @Override
    public void onMessage(ByteBuf in, int at, int length, long receivedNanos) {
      int publisher = Payload.publisher(in, at, length);
      if (publisher < 0) {
        if (length > 0 && in.getByte(at) == 'R') {
          tally.roomDeliveries++;
        }
        return;
      }
      long seq = Payload.sequence(in, at);
      long sent = Payload.sendNanos(in, at);
      if (last >= 0) {
        if (seq == last) {
          tally.duplicates++;
        } else if (seq < last) {
          tally.reordered++;
        } else if (seq > last + 1) {
          tally.lost += seq - last - 1;
        }
      }
      last = Math.max(last, seq);
      tally.delivered++;
      long latency = (receivedNanos - BASE - sent) / 1000;
      tally.latency.recordValue(Math.max(0, Math.min(latency, LoopStats.HIGHEST_MICROS)));
    }

    /** What it has not received of sequences up to {@code lastSequence} (exclusive). */
    long missingAfter(long lastSequence) {
      return channel.isActive() && last >= 0 ? Math.max(0, lastSequence - 1 - last) : 0;
    }

    @Override
    public void onClosed(int code) {
      channel.eventLoop().execute(() -> tally.members.remove(this));
      if (!closedByUs && !stopping) {
        unexpected.incrementAndGet();
        unexpectedCodes.computeIfAbsent(code, c -> new AtomicLong()).incrementAndGet();
      }
    }

    /** Leaves: with a close frame (the server answers and closes), or by dropping the socket. */
    void leave(boolean closeFrame) {
      closedByUs = true;
      if (closeFrame) {
        channel.writeAndFlush(frame(0x8, new byte[] {0x03, (byte) 0xE8})); // 1000
        channel.eventLoop().schedule(() -> channel.close(), 5, TimeUnit.SECONDS);
      } else {
        channel.close();
      }
    }

    void send(String text) {
      channel.writeAndFlush(frame(0x1, text.getBytes(StandardCharsets.UTF_8)));
    }
  }

  /** A client that stops reading: its gate swallows the reads its decoder asks for. */
  private final class StalledClient implements MessageSink {
    final Channel channel;
    final Gate gate = new Gate();
    volatile long stoppedAt;
    volatile long resumeAt;
    volatile boolean resumed;
    volatile long resumedAt = -1;
    volatile long closedAt = -1;
    volatile int code;
    final AtomicLong bytesAfter = new AtomicLong();

    StalledClient(Channel channel) {
      this.channel = channel;
    }

    @Override
    public void onMessage(ByteBuf in, int at, int length, long receivedNanos) {
      if (resumed) {
        bytesAfter.addAndGet(length);
      }
    }

    @Override
    public void onClosed(int code) {
      this.code = code;
      closedAt = now();
    }

    void resume() {
      resumed = true;
      stalledNow.decrementAndGet();
      resumedAt = now();
      channel
          .eventLoop()
          .execute(
              () -> {
                gate.stalled = false;
                channel.config().setAutoRead(true);
                channel.read();
              });
    }

    Stall result(long start) {
      return new Stall(
          (stoppedAt - start) / 1e9,
          resumedAt < 0 ? Double.NaN : (resumedAt - start) / 1e9,
          closedAt < 0 ? Double.NaN : (closedAt - start) / 1e9,
          closedAt < 0 ? 0 : code,
          bytesAfter.get());
    }
  }

  /**
   * Swallows read requests while stalled. {@link WsClientHandler} (a {@code ByteToMessageDecoder}
   * that hands messages to its sink, not down the pipeline) asks for the next read itself when auto
   * read is off; this keeps the socket unread. Confined to its channel's loop.
   */
  private static final class Gate extends ChannelOutboundHandlerAdapter {
    boolean stalled = true;

    @Override
    public void read(ChannelHandlerContext ctx) {
      if (!stalled) {
        ctx.read();
      }
    }
  }

  /** The publisher reads what the server relays to it, and drops it. */
  private final class Discard implements MessageSink {
    @Override
    public void onMessage(ByteBuf in, int at, int length, long receivedNanos) {}

    @Override
    public void onClosed(int code) {
      if (!stopping) {
        unexpected.incrementAndGet();
        unexpectedCodes.computeIfAbsent(code, c -> new AtomicLong()).incrementAndGet();
      }
    }
  }

  /**
   * The publisher: message {@code n} is due at {@code start + n * interval}; each tick sends
   * everything due (catching up after a stall), then sleeps until the next. Loop-confined.
   */
  private final class Publisher {
    final Channel channel;
    final long start;
    final double interval;
    long sequence;
    long roomTicks;
    boolean stopped;

    Publisher(Channel channel, long start, double interval) {
      this.channel = channel;
      this.start = start;
      this.interval = interval;
    }

    void tick() {
      if (stopped || !channel.isActive()) {
        return;
      }
      long now = now();
      long due = start + (long) (sequence * interval);
      int size = config.size();
      int header = size < 126 ? 6 : size <= 0xFFFF ? 8 : 14;
      boolean wrote = false;
      while (due <= now) {
        ByteBuf buf = channel.alloc().buffer(header + size);
        WsClientHandler.writeClientHeader(buf, 0x1, size);
        int at = buf.writerIndex();
        Payload.write(buf, size, 0, sequence, due);
        WsClientHandler.maskPayload(buf, at, size);
        channel.write(buf, channel.voidPromise());
        wrote = true;
        sequence++;
        due = start + (long) (sequence * interval);
      }
      if (wrote) {
        channel.flush();
      }
      channel.eventLoop().schedule(this::tick, due - now(), TimeUnit.NANOSECONDS);
    }

    /** One short message to each room. */
    void roomTick() {
      if (stopped || !channel.isActive()) {
        return;
      }
      for (int r = 0; r < config.rooms(); r++) {
        String text = String.format(Locale.ROOT, "R r%d %d", r, roomTicks);
        channel.write(frame(0x1, text.getBytes(StandardCharsets.US_ASCII)));
      }
      channel.flush();
      roomTicks++;
    }

    /** While a client is stalled, one large message to room {@code stalled}. */
    void stallFeed() {
      if (stopped || !channel.isActive() || stalledNow.get() == 0) {
        return;
      }
      byte[] text = new byte[STALL_FEED_SIZE];
      Arrays.fill(text, (byte) 'x');
      byte[] head = "R stalled ".getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(head, 0, text, 0, head.length);
      channel.writeAndFlush(frame(0x1, text));
    }

    /** Stops; returns how many messages were sent. */
    long stop() {
      stopped = true;
      return sequence;
    }
  }
}

package dev.hubcast.bench;

import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.HubMetrics;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.core.Target;
import dev.hubcast.jetty.JettyHubServer;
import dev.hubcast.netty.NettyHubServer;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The soak's server, in a process of its own (started by {@link Soak}): Hubcast with its default
 * config ({@code HubConfig} defaults: outbox 1 MiB / 1,000 frames with {@code DISCONNECT}, idle
 * timeout 60 s with pings) on {@link JettyHubServer} or {@link NettyHubServer}, with a handler that
 * relays and moves clients between rooms:
 *
 * <ul>
 *   <li>a client that connects with {@code ?room=R} joins room {@code R};
 *   <li>{@code J R} joins room {@code R}, {@code L R} leaves it;
 *   <li>{@code R R ...} is relayed, as it arrived, to room {@code R};
 *   <li>anything else (the load generator's {@link Payload} messages) is relayed, as it arrived, to
 *       every connection.
 * </ul>
 *
 * <p>It prints {@code READY port=P}, then answers each {@code sample} line on its standard input
 * with {@code SAMPLE {json}} (a {@link Sample}, taken after a full collection), until {@code quit}
 * or the end of its input.
 *
 * <pre>
 * java -cp hub-bench.jar dev.hubcast.bench.SoakServer jetty|netty [port]
 * </pre>
 */
final class SoakServer {
  private SoakServer() {}

  /**
   * What the server measured of itself. Sizes in bytes; -1 where this platform does not tell.
   *
   * @param heapAfterGc heap in use after a {@code System.gc()} (a full collection): what is live
   * @param directJdk the JDK's {@code direct} buffer pool ({@link BufferPoolMXBean})
   * @param directNetty Netty's own count of the direct memory it allocated ({@code
   *     PlatformDependent.usedDirectMemory()}), -1 when Netty does not count. Netty 4.2 counts its
   *     buffers either way: those it allocates through the JDK ({@code ByteBuffer.allocateDirect},
   *     in the pool above too) and those it allocates itself, outside that pool
   * @param nettyNoCleaner whether Netty allocates its direct buffers itself, outside the JDK's pool
   *     ({@code PlatformDependent.useDirectBufferNoCleaner()}): then its count adds to the pool's
   * @param directNettyPooled what Netty's pooled allocator holds in direct memory, whichever way it
   *     was allocated (a part of the two above); -1 on Jetty
   * @param threads live threads ({@code ThreadMXBean.getThreadCount()})
   * @param poolThreads the threads of Jetty's pool ({@code QueuedThreadPool}), -1 on Netty
   * @param poolIdleThreads those of them idle: Jetty adds threads when work queues and retires idle
   *     ones slowly (one per idle timeout, 60 s), so a spike of work leaves them for minutes
   * @param fds open file descriptors ({@code /proc/self/fd}, less the one that lists it)
   * @param slowConsumerCloses connections the hub closed because their outbox was full, so far
   * @param pendingBytes payload bytes queued or in flight in all outboxes
   */
  record Sample(
      long heapAfterGc,
      long heapCommitted,
      long directJdk,
      long directNetty,
      long directNettyPooled,
      boolean nettyNoCleaner,
      int threads,
      int poolThreads,
      int poolIdleThreads,
      int fds,
      long rss,
      int connections,
      int rooms,
      long connectionsOpened,
      long slowConsumerCloses,
      long pendingFrames,
      long pendingBytes,
      long framesOut,
      long cpuNs) {

    /**
     * Direct memory in use: the JDK's pool, plus Netty's own count when Netty allocates outside it
     * (else its buffers are in the pool already, and adding its count would count them twice).
     */
    long direct() {
      return directJdk + (nettyNoCleaner ? Math.max(0, directNetty) : 0);
    }

    /** Live threads less the idle ones in Jetty's pool: the threads at work or outside a pool. */
    int threadsLessIdle() {
      return threads - Math.max(0, poolIdleThreads);
    }
  }

  public static void main(String[] args) throws Exception {
    String transport = args.length > 0 ? args[0] : "netty";
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    Hub<Message> hub =
        Hub.create(HubConfig.builder(MessageCodec.identity()).handler(new Relay()).build());
    AutoCloseable server;
    int bound;
    QueuedThreadPool pool = null;
    switch (transport) {
      case "jetty" -> {
        JettyHubServer s =
            JettyHubServer.builder(hub).host("127.0.0.1").port(port).path("/").start();
        server = s;
        bound = s.port();
        pool = (QueuedThreadPool) s.server().getThreadPool();
      }
      case "netty" -> {
        NettyHubServer s =
            NettyHubServer.builder(hub).host("127.0.0.1").port(port).path("/").start();
        server = s;
        bound = s.port();
      }
      default ->
          throw new IllegalArgumentException(
              "transport: \"" + transport + "\" (expected: jetty or netty)");
    }
    QueuedThreadPool threads = pool;
    Json.write(
        sample(
            hub, threads)); // the JSON writer built before anyone connects, as ServerCommand does
    System.out.println("READY port=" + bound + " transport=" + transport);
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.trim().equals("quit")) {
      if (line.trim().equals("sample")) {
        System.out.println("SAMPLE " + Json.write(sample(hub, threads)));
        System.out.flush();
      }
    }
    hub.shutdown(Duration.ofSeconds(1));
    server.close();
    System.exit(0);
  }

  /** The figures, after a full collection (the JVM's default G1 makes {@code System.gc()} one). */
  static Sample sample(Hub<?> hub, QueuedThreadPool jettyPool) {
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long committed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    long jdkDirect = -1;
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (pool.getName().equals("direct")) {
        jdkDirect = pool.getMemoryUsed();
      }
    }
    long pooled = -1;
    if (jettyPool == null // Netty's allocator serves the Netty server only
        && ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
      pooled = provider.metric().usedDirectMemory();
    }
    HubMetrics m = hub.metrics();
    return new Sample(
        heap,
        committed,
        jdkDirect,
        PlatformDependent.usedDirectMemory(),
        pooled,
        PlatformDependent.useDirectBufferNoCleaner(),
        ManagementFactory.getThreadMXBean().getThreadCount(),
        jettyPool == null ? -1 : jettyPool.getThreads(),
        jettyPool == null ? -1 : jettyPool.getIdleThreads(),
        openFds(),
        rss(),
        m.connections(),
        m.rooms(),
        m.connectionsOpened(),
        m.slowConsumerCloses(),
        m.pendingFrames(),
        m.pendingBytes(),
        m.framesOut(),
        LoadGenerator.processCpuNanos());
  }

  /** Open file descriptors, less the one the listing itself holds; -1 without {@code /proc}. */
  static int openFds() {
    int n = 0;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path ignored : fds) {
        n++;
      }
    } catch (Exception e) {
      return -1;
    }
    return n - 1;
  }

  private static long rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (Exception e) {
      // not Linux
    }
    return -1;
  }

  /** The soak's handler. Called one at a time per connection, on its I/O thread. */
  private static final class Relay implements HubHandler<Message> {
    @Override
    public void onOpen(Hub<Message> hub, Client client) {
      client.handshake().queryParam("room").ifPresent(room -> hub.join(client.id(), room));
    }

    @Override
    public void onMessage(Hub<Message> hub, Client client, Message message) {
      ByteBuffer payload = message.payload();
      int at = payload.position();
      // A control message is a letter and a space; a Payload starts with four digits.
      int first = payload.remaining() >= 3 && payload.get(at + 1) == ' ' ? payload.get(at) : -1;
      if (first != 'J' && first != 'L' && first != 'R') {
        hub.broadcastMessage(Target.all(), message);
        return;
      }
      String text = message.text();
      int end = text.indexOf(' ', 2);
      String room = end < 0 ? text.substring(2) : text.substring(2, end);
      switch (first) {
        case 'J' -> hub.join(client.id(), room);
        case 'L' -> hub.leave(client.id(), room);
        default -> hub.broadcastMessage(Target.room(room), message);
      }
    }
  }
}

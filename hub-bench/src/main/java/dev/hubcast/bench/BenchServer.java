package dev.hubcast.bench;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.core.Target;
import dev.hubcast.jetty.JettyHubServer;
import dev.hubcast.netty.NettyHubServer;
import dev.hubcast.redis.RedisBackplane;
import dev.hubcast.sse.HubEventStream;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * The {@code server} command: a relay of every client message to all clients (or all but the
 * sender) on one of seven servers, so that the same load can be put to each (an eighth, {@code
 * uws}, is uWebSockets.js on Node.js, run by {@link UwsServer} in a process of its own):
 *
 * <ul>
 *   <li>{@code jetty}, {@code netty}: Hubcast with its default config ({@code
 *       HubConfig.textBuilder()} and the policy), served by {@link JettyHubServer} or {@link
 *       NettyHubServer} at path {@code /};
 *   <li>{@code tomcat}: the same hub installed with {@code JakartaHub.install} (hub-jakarta) at
 *       path {@code /} in embedded Tomcat 11 ({@link EmbeddedTomcat}); {@code tomcat-upgrade}: with
 *       {@code JakartaHub.installUpgrade}, on the servlet HTTP upgrade;
 *   <li>{@code netty-sse}: the same hub on one {@link NettyHubServer} twice, as WebSocket at {@link
 *       #WS_PATH} and as Server-Sent Events with {@code POST} ({@link HubEventStream}) at {@link
 *       #SSE_PATH}: one hub, so a message posted on one transport reaches the clients of both;
 *   <li>{@code naive-jetty}, {@code naive-netty}, {@code naive-tomcat}: what one writes without a
 *       hub, a concurrent set of sessions and a loop that sends to each ({@link NaiveJettyServer},
 *       {@link NaiveNettyServer}, {@link NaiveTomcatServer}: the Jakarta API's {@code
 *       getAsyncRemote().sendText}, a send refused while one is in flight).
 * </ul>
 *
 * <p>With a room history ({@code --room-history N}, Hubcast only) the hub relays through a room
 * instead: every connection joins {@link #ROOM} as it opens and every message is broadcast to it
 * ({@code Target.room}, or {@code Target.roomExcept} the sender), so each one is numbered, kept in
 * the last {@code N} ({@code HubConfig.historySize}) and, over Redis, numbered and stored by the
 * backplane ({@code RedisBackplane.builder(redis).history(N)}: with 0 it only numbers). The frame
 * is relayed as it arrived, as the policy does, through {@link MessageCodec#identity()}.
 *
 * <p>Thread-safe. {@link #stats(boolean)} reports connections, CPU time and memory; the command
 * prints them for each {@code stats} or {@code gc} line it reads on standard input.
 */
final class BenchServer implements AutoCloseable {

  /** The transports, by their command-line names. */
  enum Transport {
    JETTY("jetty"),
    NETTY("netty"),
    NETTY_IO_URING("netty-io-uring"),
    NETTY_SSE("netty-sse"),
    NAIVE_JETTY("naive-jetty"),
    NAIVE_NETTY("naive-netty"),
    TOMCAT("tomcat"),
    TOMCAT_UPGRADE("tomcat-upgrade"),
    NAIVE_TOMCAT("naive-tomcat"),
    UWS("uws");

    final String label;

    Transport(String label) {
      this.label = label;
    }

    /** The names, as a usage message lists them. */
    static final String EXPECTED =
        "jetty, netty, netty-io-uring, netty-sse, naive-jetty, naive-netty, tomcat, tomcat-upgrade,"
            + " naive-tomcat or uws";

    /** Hubcast (a hub with its config), as opposed to a naive relay. */
    boolean hubcast() {
      return this == JETTY
          || this == NETTY
          || this == NETTY_IO_URING
          || this == NETTY_SSE
          || this == TOMCAT
          || this == TOMCAT_UPGRADE;
    }

    /** uWebSockets.js on Node.js ({@link UwsServer}), a process of its own, not in this JVM. */
    boolean node() {
      return this == UWS;
    }

    /** The transport called {@code name}, or null. */
    static Transport find(String name) {
      for (Transport t : values()) {
        if (t.label.equals(name)) {
          return t;
        }
      }
      return null;
    }
  }

  /** The one room of a server with a room history. */
  static final String ROOM = "bench";

  /** {@code netty-sse}'s WebSocket path. */
  static final String WS_PATH = "/ws";

  /** {@code netty-sse}'s event-stream path: {@code GET} opens a stream, {@code POST} sends. */
  static final String SSE_PATH = "/sse";

  private final Transport transport;
  private final int port;
  private final IntSupplier connections;
  private final AutoCloseable closer;

  private BenchServer(
      Transport transport, int port, IntSupplier connections, AutoCloseable closer) {
    this.transport = transport;
    this.port = port;
    this.connections = connections;
    this.closer = closer;
  }

  /**
   * Starts a relay at path {@code /} ({@code netty-sse}: at {@link #WS_PATH} and {@link
   * #SSE_PATH}).
   *
   * @param others relay to all clients but the sender (else to all)
   * @param redis {@code null}, or the Redis through which this server is one node of a hub spread
   *     over several (Hubcast only)
   * @param roomHistory {@code null} to relay with the policy ({@code Target.all}), or how many
   *     broadcasts the room keeps, in memory and in Redis (Hubcast only)
   * @param metrics bind the hub's meters to a Prometheus registry scraped every second (Hubcast
   *     only)
   */
  static BenchServer start(
      Transport transport,
      String host,
      int port,
      boolean others,
      String redis,
      Integer roomHistory,
      boolean metrics)
      throws Exception {
    checkOptions(transport, redis, roomHistory, metrics);
    switch (transport) {
      case JETTY, NETTY, NETTY_IO_URING, NETTY_SSE, TOMCAT, TOMCAT_UPGRADE -> {
        Hub<?> hub =
            roomHistory == null ? relayHub(others, redis) : roomHub(others, redis, roomHistory);
        AutoCloseable server;
        int bound;
        if (transport == Transport.JETTY) {
          JettyHubServer s = JettyHubServer.builder(hub).host(host).port(port).path("/").start();
          server = s;
          bound = s.port();
        } else if (transport == Transport.NETTY || transport == Transport.NETTY_IO_URING) {
          NettyHubServer s =
              NettyHubServer.builder(hub)
                  .host(host)
                  .port(port)
                  .path("/")
                  .ioUring(transport == Transport.NETTY_IO_URING)
                  .start();
          if (transport == Transport.NETTY_IO_URING && !s.ioTransport().equals("io_uring")) {
            s.close();
            throw new IllegalStateException(
                "server: netty-io-uring: io_uring is not available here (Netty would use "
                    + s.ioTransport()
                    + ")");
          }
          server = s;
          bound = s.port();
        } else if (transport == Transport.TOMCAT) {
          EmbeddedTomcat s = EmbeddedTomcat.hub(hub, host, port, "/");
          server = s;
          bound = s.port();
        } else if (transport == Transport.TOMCAT_UPGRADE) {
          EmbeddedTomcat s = EmbeddedTomcat.hubUpgrade(hub, host, port, "/");
          server = s;
          bound = s.port();
        } else {
          HubEventStream sse = HubEventStream.create(hub, SSE_PATH);
          NettyHubServer s =
              NettyHubServer.builder(hub)
                  .host(host)
                  .port(port)
                  .path(WS_PATH)
                  .streamingHttpHandler(sse::newHandler)
                  .start();
          server = s;
          bound = s.port();
        }
        ScrapedMetrics scraped = metrics ? new ScrapedMetrics(1000, hub) : null;
        return new BenchServer(
            transport,
            bound,
            () -> hub.metrics().connections(),
            () -> {
              if (scraped != null) {
                scraped.close();
              }
              hub.shutdown(Duration.ofSeconds(1));
              server.close();
            });
      }
      case NAIVE_JETTY -> {
        NaiveJettyServer s = NaiveJettyServer.start(host, port, others);
        return new BenchServer(transport, s.port(), s::connections, s);
      }
      case NAIVE_NETTY -> {
        NaiveNettyServer s = NaiveNettyServer.start(host, port, others);
        return new BenchServer(transport, s.port(), s::connections, s);
      }
      case NAIVE_TOMCAT -> {
        NaiveTomcatServer s = NaiveTomcatServer.start(host, port, others);
        return new BenchServer(transport, s.port(), s::connections, s);
      }
      case UWS ->
          throw new IllegalArgumentException(
              "server: uws runs on Node.js, in a process of its own (UwsServer)");
      default -> throw new AssertionError(transport);
    }
  }

  /**
   * A usage error ({@link IllegalArgumentException}) for {@code --redis}, {@code --room-history} or
   * {@code --metrics} with a transport that is not Hubcast.
   */
  static void checkOptions(
      Transport transport, String redis, Integer roomHistory, boolean metrics) {
    boolean hubcast = transport.hubcast();
    if (redis != null && !hubcast) {
      throw new IllegalArgumentException(
          "server: --redis: only for jetty, netty, netty-io-uring, netty-sse, tomcat and tomcat-upgrade, not "
              + transport.label);
    }
    if (roomHistory != null && !hubcast) {
      throw new IllegalArgumentException(
          "server: --room-history: only for jetty, netty, netty-io-uring, netty-sse, tomcat and tomcat-upgrade, not "
              + transport.label);
    }
    if (metrics && !hubcast) {
      throw new IllegalArgumentException(
          "server: --metrics: only for jetty, netty, netty-io-uring, netty-sse, tomcat and tomcat-upgrade, not "
              + transport.label);
    }
  }

  /** Hubcast's default config, relaying by the policy to every connection. */
  private static Hub<String> relayHub(boolean others, String redis) {
    HubConfig.Builder<String> config =
        HubConfig.textBuilder()
            .policy(others ? BroadcastPolicy.ALL_EXCEPT_SENDER : BroadcastPolicy.ALL);
    if (redis != null) {
      config.backplane(() -> RedisBackplane.create(redis));
    }
    return Hub.create(config.build());
  }

  /** Hubcast's default config, relaying through {@link #ROOM}, which keeps {@code history}. */
  private static Hub<Message> roomHub(boolean others, String redis, int history) {
    HubConfig.Builder<Message> config =
        HubConfig.builder(MessageCodec.identity())
            .historySize(history)
            .handler(new RoomRelay(others));
    if (redis != null) {
      config.backplane(() -> RedisBackplane.builder(redis).history(history).build());
    }
    return Hub.create(config.build());
  }

  /**
   * Every connection in {@link #ROOM}, every message to the room (but the sender, with {@code
   * others}). Called one at a time per connection, on its I/O thread.
   */
  private record RoomRelay(boolean others) implements HubHandler<Message> {
    @Override
    public void onOpen(Hub<Message> hub, Client client) {
      hub.join(client.id(), ROOM);
    }

    @Override
    public void onMessage(Hub<Message> hub, Client client, Message message) {
      hub.broadcastMessage(
          others ? Target.roomExcept(ROOM, client.id()) : Target.room(ROOM), message);
    }
  }

  int port() {
    return port;
  }

  Transport transport() {
    return transport;
  }

  int connections() {
    return connections.getAsInt();
  }

  /**
   * This process's connections, CPU time and memory; with {@code gc}, after two full collections,
   * so that {@code heapUsed} is what is live.
   */
  ServerStats stats(boolean gc) {
    if (gc) {
      System.gc();
      System.gc();
    }
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long jdkDirect = 0;
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (pool.getName().equals("direct")) {
        jdkDirect = pool.getMemoryUsed();
      }
    }
    long nettyCounter = PlatformDependent.usedDirectMemory(); // -1 when Netty does not count
    long nettyAllocator = -1;
    if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
      nettyAllocator = provider.metric().usedDirectMemory();
    }
    return new ServerStats(
        transport.label,
        connections(),
        heap.getUsed(),
        heap.getCommitted(),
        jdkDirect,
        nettyCounter,
        nettyAllocator,
        // Netty counts the buffers it takes from the JDK too, which are in the pool already.
        jdkDirect + (PlatformDependent.useDirectBufferNoCleaner() ? Math.max(0, nettyCounter) : 0),
        LoadGenerator.processCpuNanos(),
        allocatedBytes(),
        procStatus("VmRSS:"),
        procStatus("VmHWM:"),
        Thread.activeCount());
  }

  /** Bytes allocated on the heap by all threads so far (live and ended), or -1. */
  private static long allocatedBytes() {
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    if (threads instanceof com.sun.management.ThreadMXBean) {
      return ((com.sun.management.ThreadMXBean) threads).getTotalThreadAllocatedBytes();
    }
    return -1;
  }

  /** A {@code /proc/self/status} size in bytes, or -1 where there is none. */
  private static long procStatus(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) {
          String[] parts = line.substring(field.length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (Exception e) {
      // not Linux
    }
    return -1;
  }

  @Override
  public void close() throws Exception {
    closer.close();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "BenchServer[%s, port %d]", transport.label, port);
  }
}

package dev.hubcast.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Message;
import dev.hubcast.core.Target;
import dev.hubcast.testkit.RawWebSocket;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fan-out on the wire: a broadcast frames its message once and every recipient writes the same
 * bytes; writes to connections of one loop leave in one task and one flush per connection; the
 * small frames one turn of the loop gives a connection leave in one write.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FanOutTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int CONNECTIONS = 20;

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final Set<Long> wireAddresses = ConcurrentHashMap.newKeySet();
  private final AtomicInteger frameWrites = new AtomicInteger();
  private final AtomicInteger flushes = new AtomicInteger();
  private final AtomicInteger dataWrites = new AtomicInteger();
  private final CountingAllocator allocator = new CountingAllocator();
  private volatile int recordLength = -1;
  private EventLoopGroup loop;

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  /** Serves {@code hub} at /ws on one event loop, recording what reaches the socket. */
  private int serve(Hub<?> hub) throws Exception {
    loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    resources.add(() -> loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync());
    Channel server =
        new ServerBootstrap()
            .group(loop)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.ALLOCATOR, allocator)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(
                            new Recorder(),
                            new HttpServerCodec(),
                            new HttpObjectAggregator(65536),
                            HubChannelHandlers.forPath(hub, "/ws"));
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
    resources.add(() -> server.close().sync());
    return ((java.net.InetSocketAddress) server.localAddress()).getPort();
  }

  private List<RawWebSocket> connect(Hub<?> hub, int port) throws Exception {
    return connect(hub, port, CONNECTIONS);
  }

  private List<RawWebSocket> connect(Hub<?> hub, int port, int connections) throws Exception {
    List<RawWebSocket> clients = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      RawWebSocket c = RawWebSocket.upgrade(port, "/ws");
      resources.add(c);
      assertThat(c.response().status()).isEqualTo(101);
      clients.add(c);
    }
    await("every connection registered")
        .atMost(WAIT)
        .until(() -> hub.clients().size() == connections);
    return clients;
  }

  @Test
  void broadcast_framesOnce_everyRecipientWritesTheSameBytes() throws Exception {
    Hub<Message> hub = hub();
    List<RawWebSocket> clients = connect(hub, serve(hub));
    String text = "x".repeat(300); // past the 1 KiB copy threshold of Netty's own encoder, too
    Message frame = Message.text(text);
    recordLength = 2 + 2 + frame.length(); // header with a 16-bit length, then the payload
    long allocationsBefore = allocator.allocations.get();

    hub.broadcastMessage(Target.all(), frame);

    for (RawWebSocket c : clients) {
      assertThat(c.read().text()).isEqualTo(text);
    }
    assertThat(frameWrites.get()).isEqualTo(CONNECTIONS);
    assertThat(wireAddresses).as("distinct framed buffers written").hasSize(1);
    assertThat(allocator.allocations.get() - allocationsBefore)
        .as("buffers allocated by the channels while fanning out")
        .isZero();
  }

  @Test
  void broadcastToOneLoop_isOneTask_andOneFlushPerConnection() throws Exception {
    Hub<Message> hub = hub();
    List<RawWebSocket> clients = connect(hub, serve(hub));
    // Hold the loop while the test thread broadcasts: everything queues for one task.
    Runnable release = holdLoop();
    int flushesBefore = flushes.get();
    int messages = 5;
    for (int i = 0; i < messages; i++) {
      hub.broadcastMessage(Target.all(), Message.text("m" + i));
    }
    release.run();

    for (RawWebSocket c : clients) {
      for (int i = 0; i < messages; i++) {
        assertThat(c.read().text()).isEqualTo("m" + i);
      }
    }
    assertThat(flushes.get() - flushesBefore)
        .as("flushes for %d frames to each of %d connections", messages, CONNECTIONS)
        .isEqualTo(CONNECTIONS);
  }

  @Test
  void broadcastsQueuedInOneTurn_leaveInOneWritePerConnection() throws Exception {
    int connections = 1000;
    int messages = 64;
    assertThat(connections * messages)
        .as("frames, within one round")
        .isLessThanOrEqualTo(EventLoopWriteRounds.ROUND_BUDGET);
    Hub<Message> hub = hub();
    List<RawWebSocket> clients = connect(hub, serve(hub), connections);
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < messages; i++) {
      sent.add("m" + i);
    }
    int flushesBefore = flushes.get();

    assertThat(broadcastWhileHeld(hub, clients, sent))
        .as("writes for %d broadcasts to %d connections", messages, connections)
        .isEqualTo(connections);
    assertThat(flushes.get() - flushesBefore).isEqualTo(connections);
  }

  @Test
  void aLargeFrameAmongSmallOnes_goesAlone_inOrder() throws Exception {
    Hub<Message> hub = hub();
    List<RawWebSocket> clients = connect(hub, serve(hub));
    String large = "L".repeat(5000); // past the 4 KiB copied into a cork
    List<String> sent = List.of("s0", "s1", large, "s2");

    // Per connection: the two small frames corked, the large one alone, the last small one alone.
    assertThat(broadcastWhileHeld(hub, clients, sent)).isEqualTo(3 * CONNECTIONS);
  }

  @Test
  void aFullCork_isWritten_andAnotherBegun() throws Exception {
    Hub<Message> hub = hub();
    List<RawWebSocket> clients = connect(hub, serve(hub));
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) { // 50 frames of 3 KiB: three corks of up to 64 KiB
      sent.add(String.format("%03d", i) + "c".repeat(3 * 1024 - 3));
    }

    assertThat(broadcastWhileHeld(hub, clients, sent)).isEqualTo(3 * CONNECTIONS);
  }

  @Test
  void theHubsClose_followsTheFramesCorkedBeforeIt() throws Exception {
    Hub<Message> hub = hub();
    List<RawWebSocket> clients = connect(hub, serve(hub));
    Runnable release = holdLoop();
    for (int i = 0; i < 5; i++) {
      hub.broadcastMessage(Target.all(), Message.text("m" + i));
    }
    for (dev.hubcast.core.Client client : hub.clients()) {
      hub.disconnect(client.id(), dev.hubcast.core.CloseCodes.GOING_AWAY, "bye");
    }
    release.run();

    for (RawWebSocket c : clients) {
      for (int i = 0; i < 5; i++) {
        assertThat(c.read().text()).isEqualTo("m" + i);
      }
      RawWebSocket.ServerFrame close = c.read();
      assertThat(close.opcode()).isEqualTo(0x8);
      assertThat(close.closeCode()).isEqualTo(dev.hubcast.core.CloseCodes.GOING_AWAY);
    }
  }

  @Test
  void aReaderThatFellBehind_getsEverythingInOrder_onceItReads() throws Exception {
    Hub<Message> hub =
        hub(
            HubConfig.builder(dev.hubcast.core.MessageCodec.identity())
                .outboxLimits(64L << 20, 100_000));
    RawWebSocket client = connect(hub, serve(hub), 1).get(0);
    int messages = 4000; // 4 MB: past the socket buffers, so sends wait to be written
    String pad = "p".repeat(1000);
    for (int i = 0; i < messages; i++) {
      hub.broadcastMessage(Target.all(), Message.text(i + ":" + pad));
    }
    // Only the outbox's window is in flight; the rest waits there for completions.
    await("the connection's backlog waits in the outbox")
        .atMost(WAIT)
        .until(() -> hub.clients().iterator().next().pendingFrames() > 0);
    for (int i = 0; i < messages; i++) {
      assertThat(client.read().text()).isEqualTo(i + ":" + pad);
    }
    assertThat(hub.clients().iterator().next().pendingFrames()).isZero();
  }

  /**
   * Broadcasts {@code texts} while the loop is held, so that they queue for one turn; returns how
   * many data writes reached the socket for them, once every client has read them all in order.
   */
  private int broadcastWhileHeld(Hub<Message> hub, List<RawWebSocket> clients, List<String> texts)
      throws Exception {
    Runnable release = holdLoop();
    int writesBefore = dataWrites.get();
    for (String text : texts) {
      hub.broadcastMessage(Target.all(), Message.text(text));
    }
    release.run();
    for (RawWebSocket c : clients) {
      for (String text : texts) {
        assertThat(c.read().text()).isEqualTo(text);
      }
    }
    return dataWrites.get() - writesBefore;
  }

  /** Holds the loop busy until the returned action runs: what is sent meanwhile queues. */
  private Runnable holdLoop() throws InterruptedException {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    loop.execute(
        () -> {
          held.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
    return release::countDown;
  }

  private Hub<Message> hub() {
    return hub(HubConfig.builder(dev.hubcast.core.MessageCodec.identity()));
  }

  private Hub<Message> hub(HubConfig.Builder<Message> config) {
    Hub<Message> hub =
        Hub.create(config.policy(BroadcastPolicy.NONE).drainTimeout(Duration.ZERO).build());
    resources.add(() -> hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS));
    return hub;
  }

  /** At the head of the pipeline: what the socket is handed. */
  private final class Recorder extends ChannelDuplexHandler {
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof ByteBuf) {
        ByteBuf buf = (ByteBuf) msg;
        if (buf.isReadable()) {
          dataWrites.incrementAndGet();
        }
        if (buf.readableBytes() == recordLength && buf.getByte(buf.readerIndex()) == (byte) 0x81) {
          frameWrites.incrementAndGet();
          wireAddresses.add(buf.memoryAddress() + buf.readerIndex());
        }
      }
      ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      flushes.incrementAndGet();
      ctx.flush();
    }
  }

  /** The channels' allocator, counting every buffer it hands out. */
  private static final class CountingAllocator implements ByteBufAllocator {
    private final ByteBufAllocator d = PooledByteBufAllocator.DEFAULT;
    final AtomicLong allocations = new AtomicLong();

    private <T> T count(T t) {
      allocations.incrementAndGet();
      return t;
    }

    @Override
    public ByteBuf buffer() {
      return count(d.buffer());
    }

    @Override
    public ByteBuf buffer(int i) {
      return count(d.buffer(i));
    }

    @Override
    public ByteBuf buffer(int i, int m) {
      return count(d.buffer(i, m));
    }

    @Override
    public ByteBuf ioBuffer() {
      return count(d.ioBuffer());
    }

    @Override
    public ByteBuf ioBuffer(int i) {
      return count(d.ioBuffer(i));
    }

    @Override
    public ByteBuf ioBuffer(int i, int m) {
      return count(d.ioBuffer(i, m));
    }

    @Override
    public ByteBuf heapBuffer() {
      return count(d.heapBuffer());
    }

    @Override
    public ByteBuf heapBuffer(int i) {
      return count(d.heapBuffer(i));
    }

    @Override
    public ByteBuf heapBuffer(int i, int m) {
      return count(d.heapBuffer(i, m));
    }

    @Override
    public ByteBuf directBuffer() {
      return count(d.directBuffer());
    }

    @Override
    public ByteBuf directBuffer(int i) {
      return count(d.directBuffer(i));
    }

    @Override
    public ByteBuf directBuffer(int i, int m) {
      return count(d.directBuffer(i, m));
    }

    @Override
    public CompositeByteBuf compositeBuffer() {
      return count(d.compositeBuffer());
    }

    @Override
    public CompositeByteBuf compositeBuffer(int m) {
      return count(d.compositeBuffer(m));
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer() {
      return count(d.compositeHeapBuffer());
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int m) {
      return count(d.compositeHeapBuffer(m));
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer() {
      return count(d.compositeDirectBuffer());
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int m) {
      return count(d.compositeDirectBuffer(m));
    }

    @Override
    public boolean isDirectBufferPooled() {
      return d.isDirectBufferPooled();
    }

    @Override
    public int calculateNewCapacity(int minNewCapacity, int maxCapacity) {
      return d.calculateNewCapacity(minNewCapacity, maxCapacity);
    }
  }
}

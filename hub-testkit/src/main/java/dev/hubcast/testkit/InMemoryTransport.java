package dev.hubcast.testkit;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Handshake;
import dev.hubcast.core.Hub;
import dev.hubcast.core.Message;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Admission;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.Inbound;
import dev.hubcast.core.spi.SendCompletion;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A transport without sockets, like Netty's {@code EmbeddedChannel}: clients and connections meet
 * in memory. For fast core tests and for applications' own tests of their handlers.
 *
 * <pre>{@code
 * Hub<String> hub = Hub.create(HubConfig.textBuilder().build());
 * InMemoryTransport.Client ada = InMemoryTransport.connect(hub, "user=ada");
 * ada.sendText("hello");
 * assertThat(ada.awaitText(Duration.ofSeconds(1))).isEqualTo("hello");
 * }</pre>
 *
 * <p>It keeps the adapter contract as a real transport does: sends never block and complete once,
 * in order, when the client "reads" the frame; a client that {@link TestClient#pauseReading() stops
 * reading} leaves sends uncompleted, so the hub's outbox fills as behind a stalled socket; messages
 * over {@code maxMessageBytes} are refused with 1009; the close is reported once.
 *
 * <p>Thread-safe.
 */
public final class InMemoryTransport {

  private static final AtomicInteger PORTS = new AtomicInteger(40_000);

  private InMemoryTransport() {}

  /**
   * The hub as a {@link TestServer} whose clients are in memory; its {@code close} does nothing.
   */
  public static TestServer serve(Hub<?> hub) {
    requireNonNull(hub, "hub");
    return new TestServer() {
      @Override
      public TestClient connect(String query, Map<String, String> headers)
          throws HandshakeRefusedException {
        return InMemoryTransport.connect(hub, query, headers);
      }

      @Override
      public void close() {}

      @Override
      public String toString() {
        return "InMemoryTransport[" + hub + "]";
      }
    };
  }

  /** Connects a client with a query string and no headers. */
  public static Client connect(Hub<?> hub, String query) throws HandshakeRefusedException {
    return connect(hub, query, Map.of());
  }

  /**
   * Connects a client: admits its handshake (path {@code /ws}, address {@code 127.0.0.1}) and opens
   * its connection.
   *
   * @throws HandshakeRefusedException if the hub refused the handshake
   */
  public static Client connect(Hub<?> hub, String query, Map<String, String> headers)
      throws HandshakeRefusedException {
    requireNonNull(hub, "hub");
    Map<String, List<String>> h = new LinkedHashMap<>();
    h.put("Host", List.of("127.0.0.1"));
    headers.forEach((k, v) -> h.put(k, List.of(v)));
    Handshake handshake =
        Handshake.of(
            "/ws",
            query,
            h,
            new InetSocketAddress("127.0.0.1", PORTS.getAndIncrement() % 20_000 + 40_000));
    Acceptor acceptor = Acceptor.of(hub);
    Admission admission = acceptor.admit(handshake);
    if (!admission.isAdmitted()) {
      throw new HandshakeRefusedException(admission.status(), admission.reason());
    }
    Client client = new Client(acceptor.settings().maxMessageBytes());
    InMemoryConnection connection =
        new InMemoryConnection(admission.connectionId(), admission.handshake(), client);
    client.connection = connection;
    Inbound inbound = acceptor.open(connection);
    connection.opened(inbound);
    return client;
  }

  /**
   * The client side of an in-memory connection.
   *
   * <p>Thread-safe.
   */
  public static final class Client implements TestClient {
    private final int maxMessageBytes;
    private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> binaries = new LinkedBlockingQueue<>();
    private final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();
    private volatile InMemoryConnection connection;

    private Client(int maxMessageBytes) {
      this.maxMessageBytes = maxMessageBytes;
    }

    /** The id of the server side of this connection. */
    public String connectionId() {
      return connection.id();
    }

    @Override
    public void sendText(String text) {
      requireNonNull(text, "text");
      byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
      if (utf8.length > maxMessageBytes) {
        connection.refuseOversize();
      } else {
        connection.receive(Message.text(text));
      }
    }

    /**
     * Sends a text message made of these bytes, UTF-8 or not: what a real transport would refuse
     * with 1007 the hub refuses here.
     */
    public void sendRawText(byte[] bytes) {
      if (bytes.length > maxMessageBytes) {
        connection.refuseOversize();
      } else {
        connection.receive(Message.textUtf8(bytes));
      }
    }

    @Override
    public void sendBinary(byte[] data) {
      if (data.length > maxMessageBytes) {
        connection.refuseOversize();
      } else {
        connection.receive(Message.binary(data));
      }
    }

    @Override
    public String awaitText(Duration timeout) {
      return JdkWebSocketClient.Await.poll(texts, timeout, "a text message");
    }

    @Override
    public List<String> awaitTexts(int n, Duration timeout) {
      return JdkWebSocketClient.Await.pollAll(texts, n, timeout, "text messages");
    }

    @Override
    public byte[] awaitBinary(Duration timeout) {
      return JdkWebSocketClient.Await.poll(binaries, timeout, "a binary message");
    }

    @Override
    public CloseStatus awaitClose(Duration timeout) {
      return JdkWebSocketClient.Await.future(closed, timeout, "the connection to close");
    }

    @Override
    public boolean isClosed() {
      return closed.isDone();
    }

    @Override
    public int pendingTexts() {
      return texts.size();
    }

    @Override
    public void pauseReading() {
      connection.pause();
    }

    @Override
    public void resumeReading() {
      connection.resume();
    }

    @Override
    public void close(int code, String reason) {
      connection.clientClosed(code, reason);
    }

    @Override
    public void abort() {
      connection.clientClosed(CloseCodes.ABNORMAL, "connection lost");
    }

    void deliver(Message frame) {
      if (frame.isText()) {
        texts.add(frame.text());
      } else {
        binaries.add(frame.toByteArray());
      }
    }

    void closed(int code, String reason) {
      closed.complete(new CloseStatus(code, reason));
    }

    @Override
    public String toString() {
      return "InMemoryTransport.Client[" + connection.id() + "]";
    }
  }

  /** The server side. Its state is guarded by its monitor; callbacks run outside of it. */
  private static final class InMemoryConnection implements Connection {
    private final String id;
    private final Handshake handshake;
    private final Client client;
    private final Object inboundLock = new Object(); // one inbound report at a time
    private Inbound inbound; // guarded by inboundLock
    private final ArrayDeque<Message> unread = new ArrayDeque<>(); // guarded by this
    private final ArrayDeque<SendCompletion> unreadCompletions = new ArrayDeque<>();
    private boolean paused; // guarded by this
    private boolean open = true; // guarded by this
    private boolean reported; // guarded by inboundLock
    private int closeCode; // guarded by inboundLock
    private String closeReason; // guarded by inboundLock

    InMemoryConnection(String id, Handshake handshake, Client client) {
      this.id = id;
      this.handshake = handshake;
      this.client = client;
    }

    void opened(Inbound inbound) {
      synchronized (inboundLock) {
        this.inbound = inbound;
        if (closeCode != 0 && !reported) {
          // Closed while the hub was still opening it: report now that there is a sink.
          reported = true;
          inbound.onClose(closeCode, closeReason);
        }
      }
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Handshake handshake() {
      return handshake;
    }

    @Override
    public void send(Message frame, SendCompletion completion) {
      boolean deliver;
      synchronized (this) {
        if (!open) {
          deliver = false;
        } else if (paused) {
          unread.add(frame);
          unreadCompletions.add(completion);
          return;
        } else {
          deliver = true;
        }
      }
      if (deliver) {
        client.deliver(frame);
        completion.complete(frame, null);
      } else {
        completion.complete(frame, new ClosedChannelException());
      }
    }

    void pause() {
      synchronized (this) {
        paused = true;
      }
    }

    void resume() {
      while (true) {
        Message frame;
        SendCompletion completion;
        synchronized (this) {
          frame = unread.poll();
          completion = unreadCompletions.poll();
          if (frame == null) {
            paused = false;
            return;
          }
        }
        client.deliver(frame);
        completion.complete(frame, null);
      }
    }

    @Override
    public void close(int code, String reason) {
      if (end()) {
        // The client answers the close at once, as a well-behaved peer does.
        client.closed(code, reason);
        report(code, reason);
      }
    }

    void clientClosed(int code, String reason) {
      if (end()) {
        client.closed(code, reason);
        report(code, reason);
      }
    }

    void refuseOversize() {
      close(CloseCodes.MESSAGE_TOO_BIG, "message too big");
    }

    /** Marks the connection closed and fails unread sends; true for the first call only. */
    private boolean end() {
      List<Message> frames;
      List<SendCompletion> completions;
      synchronized (this) {
        if (!open) {
          return false;
        }
        open = false;
        frames = new ArrayList<>(unread);
        completions = new ArrayList<>(unreadCompletions);
        unread.clear();
        unreadCompletions.clear();
      }
      for (int i = 0; i < frames.size(); i++) {
        completions.get(i).complete(frames.get(i), new ClosedChannelException());
      }
      return true;
    }

    void receive(Message frame) {
      synchronized (this) {
        if (!open) {
          return;
        }
      }
      synchronized (inboundLock) {
        if (!reported) {
          inbound.onMessage(frame);
        }
      }
    }

    private void report(int code, String reason) {
      synchronized (inboundLock) {
        closeCode = code;
        closeReason = reason;
        if (!reported && inbound != null) {
          reported = true;
          inbound.onClose(code, reason);
        }
      }
    }

    @Override
    public synchronized boolean isOpen() {
      return open;
    }
  }
}

package dev.hubcast.testkit;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.Handshake;
import dev.hubcast.core.Hub;
import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Admission;
import dev.hubcast.core.spi.Inbound;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A transport without sockets, like Netty's {@code EmbeddedChannel}: clients and connections meet
 * in memory. For fast core tests and for applications' own tests of their handlers. Thread-safe:
 * any thread may connect, and each {@link InMemoryClient} is thread-safe.
 *
 * <pre>{@code
 * Hub<String> hub =
 *     Hub.create(
 *         HubConfig.textBuilder() // policy ALL: a client's message goes to every client
 *             .authenticator(
 *                 h -> h.queryParam("user").map(AuthResult::user).orElse(AuthResult.anonymous()))
 *             .build());
 * InMemoryClient ada = InMemoryTransport.connect(hub, "user=ada");
 * InMemoryClient guest = InMemoryTransport.connect(hub);
 *
 * guest.sendText("hello");
 * hub.broadcast(Target.user("ada"), "just for ada");
 *
 * assertThat(ada.awaitTexts(2, Duration.ofSeconds(1))).containsExactly("hello", "just for ada");
 * assertThat(guest.awaitText(Duration.ofSeconds(1))).isEqualTo("hello");
 * hub.close();
 * }</pre>
 *
 * <p>It keeps the adapter contract as a real transport does: sends never block and complete once,
 * in order, when the client "reads" the frame; a client that {@link TestClient#pauseReading() stops
 * reading} leaves sends uncompleted, so the hub's outbox fills as behind a stalled socket; messages
 * over {@code maxMessageBytes} are refused with 1009, text that is not UTF-8 with 1007; the close
 * is reported once, also when the hub closes the connection while opening it; sends pending at the
 * end are failed.
 */
public final class InMemoryTransport {

  private static final AtomicInteger PORTS = new AtomicInteger(40_000);

  private InMemoryTransport() {}

  /**
   * The hub as a {@link TestServer} whose clients are in memory; its {@code close} drops every
   * client it connected, as a server that stops drops its connections (each is reported closed with
   * 1006).
   */
  public static TestServer serve(Hub<?> hub) {
    requireNonNull(hub, "hub");
    java.util.Queue<InMemoryClient> clients = new java.util.concurrent.ConcurrentLinkedQueue<>();
    return new TestServer() {
      @Override
      public TestClient connect(String query, Map<String, String> headers) {
        InMemoryClient c = InMemoryTransport.connect(hub, query, headers);
        clients.add(c);
        return c;
      }

      @Override
      public boolean clientsSendRawText() {
        return true;
      }

      @Override
      public void close() {
        InMemoryClient c;
        while ((c = clients.poll()) != null) {
          c.abort();
        }
      }

      @Override
      public String toString() {
        return "InMemoryTransport[" + hub + "]";
      }
    };
  }

  /**
   * Connects a client with no query and no headers.
   *
   * @throws HandshakeRefusedException if the hub refused the handshake
   */
  public static InMemoryClient connect(Hub<?> hub) {
    return connect(hub, "", Map.of());
  }

  /**
   * Connects a client with a query string (without {@code ?}) and no headers.
   *
   * @throws HandshakeRefusedException if the hub refused the handshake
   */
  public static InMemoryClient connect(Hub<?> hub, String query) {
    return connect(hub, query, Map.of());
  }

  /**
   * Connects a client: admits its handshake (path {@code /ws}, address {@code 127.0.0.1}) and opens
   * its connection.
   *
   * @throws HandshakeRefusedException if the hub refused the handshake
   */
  public static InMemoryClient connect(Hub<?> hub, String query, Map<String, String> headers) {
    requireNonNull(hub, "hub");
    requireNonNull(query, "query");
    requireNonNull(headers, "headers");
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
    InMemoryClient client = new InMemoryClient(acceptor.settings().maxMessageBytes());
    InMemoryConnection connection =
        new InMemoryConnection(admission.connectionId(), admission.handshake(), client);
    client.connected(connection);
    Inbound inbound = acceptor.open(connection);
    connection.opened(inbound);
    return client;
  }
}

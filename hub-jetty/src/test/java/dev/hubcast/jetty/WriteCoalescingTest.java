package dev.hubcast.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Target;
import dev.hubcast.testkit.JdkWebSocketClient;
import dev.hubcast.testkit.TestClient;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Frames sent to a connection faster than its socket writes go out several per write, on a real
 * Jetty server and a real client: the server's socket writes are counted at its end points.
 */
@Timeout(30)
class WriteCoalescingTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int FRAMES = 2_000;

  /** Counts the writes that carried bytes, on every connection of the connector. */
  static final class CountingConnector extends ServerConnector {
    final AtomicLong writes = new AtomicLong();

    CountingConnector(Server server) {
      super(server);
    }

    @Override
    protected SocketChannelEndPoint newEndPoint(
        SocketChannel channel, ManagedSelector selector, SelectionKey key) throws IOException {
      SocketChannelEndPoint endPoint =
          new SocketChannelEndPoint(channel, selector, key, getScheduler()) {
            @Override
            public boolean flush(ByteBuffer... buffers) throws IOException {
              long before = 0;
              for (ByteBuffer b : buffers) {
                before += b.remaining();
              }
              boolean done = super.flush(buffers);
              long after = 0;
              for (ByteBuffer b : buffers) {
                after += b.remaining();
              }
              if (after < before) {
                writes.incrementAndGet();
              }
              return done;
            }
          };
      endPoint.setIdleTimeout(getIdleTimeout());
      return endPoint;
    }
  }

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        // best effort
      }
    }
  }

  @Test
  void aBurstToOneClient_goesOutInFarFewerWritesThanFrames_inOrder() throws Exception {
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder()
                .policy(BroadcastPolicy.NONE)
                .outboxLimits(64 * 1024 * 1024, FRAMES * 2) // the burst must not trip the limit
                .build());
    resources.add(hub::close);
    Server server = new Server();
    CountingConnector connector = new CountingConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(HubWebSocket.handler(hub, "/ws"));
    server.start();
    resources.add(server::stop);

    TestClient client =
        JdkWebSocketClient.connect(
            URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/ws"));
    resources.add(client);
    await("the client is registered").atMost(WAIT).until(() -> hub.clients().size() == 1);
    long writesBefore = connector.writes.get(); // the upgrade response

    for (int i = 0; i < FRAMES; i++) {
      hub.broadcast(Target.all(), "frame " + i);
    }
    List<String> received = client.awaitTexts(FRAMES, WAIT);

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < FRAMES; i++) {
      expected.add("frame " + i);
    }
    assertThat(received).isEqualTo(expected);
    long writes = connector.writes.get() - writesBefore;
    assertThat(writes).isPositive().isLessThan(FRAMES / 4);
  }
}

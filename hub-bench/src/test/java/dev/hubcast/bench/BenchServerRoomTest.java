package dev.hubcast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The bench server in room mode ({@code --room-history}), on a real server with the JDK's WebSocket
 * client: a message goes to the room, and with {@code --policy others} to everyone in it but the
 * sender.
 */
class BenchServerRoomTest {
  private static final long WAIT_MS = 10_000;

  /** A JDK WebSocket client whose text messages land in a queue. */
  private static final class Client implements WebSocket.Listener {
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    final WebSocket socket;

    Client(int port) throws Exception {
      socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(URI.create("ws://127.0.0.1:" + port + "/"), this)
              .get(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        received.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    void send(String text) throws Exception {
      socket.sendText(text, true).get(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    /** The next message but those starting with {@code skip}, or null after the wait. */
    String next(String skip) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
      String m;
      do {
        m = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      } while (m != null && m.startsWith(skip));
      return m;
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = BenchServer.Transport.class,
      names = {"NETTY", "JETTY", "TOMCAT"})
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void roomMode_others_relaysToTheRoom_butNotToTheSender(BenchServer.Transport transport)
      throws Exception {
    try (BenchServer server = BenchServer.start(transport, "127.0.0.1", 0, true, null, 5, false)) {
      Client a = new Client(server.port());
      Client b = new Client(server.port());
      // b's messages reach a only once both have joined the room (a client's own messages are
      // handled after its join): b says hello until a hears it.
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
      String heard = null;
      for (int i = 0; heard == null && System.nanoTime() < deadline; i++) {
        b.send("hello " + i);
        heard = a.received.poll(50, TimeUnit.MILLISECONDS);
      }
      assertThat(heard).startsWith("hello ");

      a.send("from a");
      assertThat(b.next("hello ")).isEqualTo("from a");
      // b answers only after a's message reached b, so a's own copy, had it been sent, would come
      // before the answer.
      b.send("from b");

      assertThat(a.next("hello ")).isEqualTo("from b");
      assertThat(server.connections()).isEqualTo(2);
      a.socket.abort();
      b.socket.abort();
    }
  }
}

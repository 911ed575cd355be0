package dev.hubcast.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hubcast.testkit.RedisServer;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resume across servers with real processes: two chat servers ({@code java ... ChatServer --redis},
 * one on Jetty, one on Netty) share a real {@code redis-server}; the JDK WebSocket client reads on
 * one, drops, the other goes on, the first is killed ({@code SIGKILL}: no shutdown, no goodbye),
 * and the client resumes on the survivor. Then Redis restarts empty: the next resume says {@code
 * epoch-changed}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ChatFailoverTest {
  private static final Pattern PAGE = Pattern.compile("open http://[^:]+:(\\d+)/");

  private final List<AutoCloseable> open = new ArrayList<>();
  private RedisServer redis;

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServer.start();
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    redis.close();
  }

  /** A chat server in its own JVM; its port, read from the line it prints when it is up. */
  private record ServerProcess(Process process, int port) implements AutoCloseable {
    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
      kill();
    }
  }

  private ServerProcess startServer(String transport) throws Exception {
    String java =
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                ChatServer.class.getName(),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--transport",
                transport,
                "--redis",
                redis.uri())
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                String line;
                while ((line = out.readLine()) != null) {
                  Matcher m = PAGE.matcher(line);
                  if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                  }
                }
                port.completeExceptionally(new IOException("the chat server exited"));
              } catch (IOException e) {
                port.completeExceptionally(e);
              }
            },
            "chat-" + transport + "-output");
    reader.setDaemon(true);
    reader.start();
    ServerProcess server = new ServerProcess(p, port.get(60, TimeUnit.SECONDS));
    open.add(server);
    return server;
  }

  private ChatClient connect(int port, String name, String query) {
    ChatClient c = ChatClient.connect(port, name, query);
    open.add(c);
    return c;
  }

  private static String position(JsonNode m) {
    return "room=lobby&epoch=" + m.get("epoch").asText() + "&seq=" + m.get("seq").asLong();
  }

  private static List<String> said(JsonNode history) {
    List<String> out = new ArrayList<>();
    history.get("messages").forEach(m -> out.add(m.get("text").asText()));
    return out;
  }

  @Test
  void aClientOnAKilledServer_resumesOnTheOther_withExactlyWhatItMissed() throws Exception {
    ServerProcess a = startServer("jetty");
    ServerProcess b = startServer("netty");
    ChatClient bob = connect(b.port(), "bob", null);
    bob.next("welcome");
    bob.next("history");
    ChatClient carol = connect(a.port(), "carol", null);
    carol.next("welcome");
    carol.next("history");

    JsonNode last = null;
    for (int i = 1; i <= 3; i++) {
      bob.say("m" + i);
      last = carol.next("message");
      assertThat(last.get("text").asText()).isEqualTo("m" + i);
    }
    carol.close(); // carol drops
    for (int i = 4; i <= 7; i++) {
      bob.say("m" + i); // while she is away
    }
    assertThat(
            bob.awaitMatching("m7 back", m -> "m7".equals(m.path("text").asText()), ChatClient.WAIT)
                .get("seq")
                .asLong())
        .isEqualTo(7);
    a.kill(); // her server dies, without a goodbye

    ChatClient back = connect(b.port(), "carol", position(last));
    back.next("welcome");
    JsonNode history = back.next("history");
    bob.say("m8");

    assertThat(history.get("recovered").asBoolean()).isTrue();
    assertThat(said(history)).containsExactly("m4", "m5", "m6", "m7");
    assertThat(back.next("message").get("text").asText()).isEqualTo("m8");

    // Redis comes back empty: the numbering the client knew is gone.
    JsonNode m8 =
        bob.awaitMatching("m8", m -> "m8".equals(m.path("text").asText()), ChatClient.WAIT);
    redis.kill();
    redis.restart();
    // Until the server has reconnected it answers from what it holds itself; then from Redis.
    String query = position(m8);
    JsonNode afterFlush =
        await("a resume answered by the emptied Redis")
            .atMost(Duration.ofSeconds(15))
            .until(() -> resumeOnce(b.port(), query), h -> !h.get("recovered").asBoolean());
    assertThat(afterFlush.get("reason").asText()).isEqualTo("epoch-changed");
    assertThat(afterFlush.get("epoch").asText()).isNotEqualTo(m8.get("epoch").asText());
  }

  private static JsonNode resumeOnce(int port, String query) {
    try (ChatClient c = ChatClient.connect(port, "carol", query)) {
      c.next("welcome");
      return c.next("history");
    }
  }
}

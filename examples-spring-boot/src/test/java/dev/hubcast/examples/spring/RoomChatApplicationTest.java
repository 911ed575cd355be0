package dev.hubcast.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.Hub;
import dev.hubcast.testkit.JdkWebSocketClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The sample as it runs, with its own application.properties, on the embedded Tomcat at a random
 * port. The test methods share one application, so each uses rooms of its own.
 */
@SpringBootTest(classes = RoomChatApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RoomChatApplicationTest {

  /** How long a test waits for one message or condition. */
  static final Duration WAIT = Duration.ofSeconds(10);

  @LocalServerPort int port;

  @Autowired Hub<String> hub;

  JdkWebSocketClient connect(String query) {
    return JdkWebSocketClient.connect(URI.create("ws://127.0.0.1:" + port + "/chat" + query));
  }

  /** Waits until the hub's handler has put {@code n} connections in {@code room}. */
  void awaitMembers(String room, int n) {
    await().atMost(WAIT).until(() -> hub.members(room).size() == n);
  }

  @Test
  void message_reachesTheOthersInItsRoom_notTheSender_norAnotherRoom() {
    try (JdkWebSocketClient dev1 = connect("?room=dev");
        JdkWebSocketClient dev2 = connect("?room=dev");
        JdkWebSocketClient lobby1 = connect(""); // no room: the lobby
        JdkWebSocketClient lobby2 = connect("?room=lobby")) {
      awaitMembers("dev", 2);
      awaitMembers("lobby", 2);

      dev1.sendText("hi dev");
      assertThat(dev2.awaitText(WAIT)).isEqualTo("hi dev");

      // each connection receives in order: had the first message been sent to dev1 or lobby1, it
      // would have been queued for them before these later ones
      dev2.sendText("back to dev1");
      lobby2.sendText("lobby marker");
      assertThat(dev1.awaitText(WAIT)).isEqualTo("back to dev1");
      assertThat(lobby1.awaitText(WAIT)).isEqualTo("lobby marker");
      assertThat(dev2.pendingTexts()).isZero();
      assertThat(lobby2.pendingTexts()).isZero();
    }
  }

  @Test
  void lateJoiner_getsTheRoomsLastTenMessages_thenLiveOnes() {
    List<String> sent = IntStream.rangeClosed(1, 12).mapToObj(i -> "m" + i).toList();
    try (JdkWebSocketClient sender = connect("?room=history");
        JdkWebSocketClient reader = connect("?room=history")) {
      awaitMembers("history", 2);
      sent.forEach(sender::sendText);
      assertThat(reader.awaitTexts(12, WAIT)).isEqualTo(sent);

      try (JdkWebSocketClient late = connect("?room=history")) {
        assertThat(late.awaitTexts(10, WAIT)).isEqualTo(sent.subList(2, 12));

        sender.sendText("live");
        assertThat(late.awaitText(WAIT)).isEqualTo("live");
      }
    }
  }

  @Test
  void badRoomName_isTheLobby() {
    assertThat(RoomChat.roomOf(null)).isEqualTo("lobby");
    assertThat(RoomChat.roomOf("")).isEqualTo("lobby");
    assertThat(RoomChat.roomOf("a b")).isEqualTo("lobby");
    assertThat(RoomChat.roomOf("x".repeat(33))).isEqualTo("lobby");
    assertThat(RoomChat.roomOf("dev-2_b")).isEqualTo("dev-2_b");
  }

  @Test
  void page_isServedAtTheRoot() throws Exception {
    HttpResponse<String> page =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
    assertThat(page.body())
        .contains("<title>Hubcast room chat (Spring Boot)</title>")
        .contains("new WebSocket(");
  }
}

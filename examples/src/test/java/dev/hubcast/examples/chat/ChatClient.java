package dev.hubcast.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hubcast.testkit.JdkWebSocketClient;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A chat client for the protocol tests: the testkit's JDK WebSocket client, speaking JSON. It reads
 * what the server sends in order; {@link #next(String)} passes over the updates that other clients'
 * comings and goings cause ({@code presence}, {@code rooms}, {@code people}) and the private
 * messages kept for a user ({@code dms}) unless asked for one.
 *
 * <p>Thread-safe as far as {@link JdkWebSocketClient} is; each test uses it from one thread.
 */
final class ChatClient implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration WAIT = Duration.ofSeconds(5);
  private static final Set<String> UPDATES = Set.of("presence", "rooms", "people", "dms");

  final String name;
  final JdkWebSocketClient ws;

  /** The members of each room in the last {@code presence} read for it. */
  final Map<String, List<String>> lastMembers = new ConcurrentHashMap<>();

  /** The people online in the last {@code people} message, as this client's server knows them. */
  volatile List<String> lastPeople = List.of();

  private ChatClient(String name, JdkWebSocketClient ws) {
    this.name = name;
    this.ws = ws;
  }

  static URI uri(int port, String rawQuery) {
    return URI.create("ws://127.0.0.1:" + port + "/ws" + (rawQuery == null ? "" : "?" + rawQuery));
  }

  /** Connects, without reading anything. */
  static ChatClient connect(int port, String name) {
    return connect(port, name, null);
  }

  /** Connects with more of a query ({@code room=dev&epoch=...}), without reading anything. */
  static ChatClient connect(int port, String name, String moreQuery) {
    String query = "name=" + URLEncoder.encode(name, StandardCharsets.UTF_8);
    if (moreQuery != null) {
      query += "&" + moreQuery;
    }
    return new ChatClient(name, JdkWebSocketClient.connect(uri(port, query)));
  }

  /**
   * Connects and reads the opening: welcome, the lobby's history, the lobby's presence, and the
   * {@code people} that list it (in either order). Only once that has come is it online for the
   * others: the server puts a connection among the people online after it has entered its room, so
   * a private message sent to it before then is answered {@code unknown-user}.
   */
  static ChatClient enter(int port, String name) throws Exception {
    ChatClient client = connect(port, name);
    assertThat(client.next().get("type").asText()).isEqualTo("welcome");
    assertThat(client.next().get("type").asText()).isEqualTo("history");
    boolean inLobby = false;
    boolean online = false;
    while (!inLobby || !online) {
      JsonNode update = client.next();
      String type = update.path("type").asText();
      if (type.equals("presence")) {
        assertThat(update.get("room").asText()).isEqualTo("lobby");
        inLobby = true;
      } else if (type.equals("people")) {
        online |= texts(update.path("people")).contains(name);
      } else if (!UPDATES.contains(type)) {
        throw new AssertionError(name + " expected its presence and people, but got " + update);
      }
    }
    return client;
  }

  /** The next message, whatever it is. */
  JsonNode next() {
    return parse(ws.awaitText(WAIT));
  }

  private JsonNode parse(String text) {
    JsonNode message;
    try {
      message = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new AssertionError("the server sent something that is not JSON: " + text, e);
    }
    if (message.path("type").asText().equals("presence")) {
      lastMembers.put(message.path("room").asText(), texts(message.path("members")));
    } else if (message.path("type").asText().equals("people")) {
      lastPeople = texts(message.path("people"));
    }
    return message;
  }

  /** The next message of {@code type}; updates ({@code presence}, ...) before it are skipped. */
  JsonNode next(String type) {
    while (true) {
      JsonNode message = next();
      String got = message.path("type").asText();
      if (got.equals(type)) {
        return message;
      }
      if (!UPDATES.contains(got)) {
        throw new AssertionError(name + " expected a \"" + type + "\" but got " + message);
      }
    }
  }

  /** The next message that is not an update ({@code presence}, {@code rooms}, ...). */
  JsonNode nextEvent() {
    while (true) {
      JsonNode message = next();
      if (!UPDATES.contains(message.path("type").asText())) {
        return message;
      }
    }
  }

  /**
   * Reads until a message matches {@code wanted}, passing over every other, for at most {@code
   * within}; for what arrives after a while (across servers, after an outage).
   */
  JsonNode awaitMatching(String what, Predicate<JsonNode> wanted, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(name + " waited " + within + " for " + what);
      }
      String text;
      try {
        text = ws.awaitText(Duration.ofNanos(left));
      } catch (AssertionError timedOut) {
        throw new AssertionError(name + " waited " + within + " for " + what, timedOut);
      }
      JsonNode message = parse(text);
      if (wanted.test(message)) {
        return message;
      }
    }
  }

  /** The next {@code presence} for {@code room}; other updates are skipped. */
  JsonNode nextPresence(String room) {
    while (true) {
      JsonNode presence = next("presence");
      if (presence.get("room").asText().equals(room)) {
        return presence;
      }
    }
  }

  void send(Object... keysAndValues) {
    ObjectNode node = JSON.createObjectNode();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      node.set((String) keysAndValues[i], JSON.valueToTree(keysAndValues[i + 1]));
    }
    ws.sendText(node.toString());
  }

  void say(String text) {
    send("type", "say", "text", text);
  }

  void sendRaw(String text) {
    ws.sendText(text);
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(node -> out.add(node.asText()));
    return out;
  }

  @Override
  public void close() {
    ws.close();
  }

  @Override
  public String toString() {
    return "ChatClient[" + name + "]";
  }
}

package dev.hubcast.testkit;

import static dev.hubcast.testkit.KitFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.AuthResult;
import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Client;
import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.Target;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connection's end: a clean close or an abrupt one is reported once and removes the connection
 * from the registry, its rooms and its user; the hub's close carries its code and reason; a
 * shutdown closes a client that stopped reading at the drain deadline. Shutdown and churn under
 * load are the {@link FaultsUnderLoadContract}'s. Not thread-safe: JUnit runs one test of an
 * instance at a time.
 *
 * <p>Run by the {@link TransportCompatibilityKit}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public interface LifecycleContract {

  /** The fixture of the running test. */
  KitFixture kit();

  /** Users named by the {@code user} query parameter; each {@code onClose} counted per id. */
  private static HubConfig.Builder<String> recordingCloses(Map<String, Integer> closes) {
    return HubConfig.textBuilder()
        .authenticator(
            h -> h.queryParam("user").map(AuthResult::user).orElse(AuthResult.anonymous()))
        .handler(
            new HubHandler<>() {
              @Override
              public void onClose(Hub<String> hub, Client client, int code, String reason) {
                closes.merge(client.id(), 1, Integer::sum);
              }
            });
  }

  @Test
  @DisplayName("closing the server reports every connection's close to the hub, once")
  default void serverClose_reportsEveryClose() throws Exception {
    Map<String, Integer> closes = new ConcurrentHashMap<>();
    KitFixture.Served s = kit().serve(recordingCloses(closes).closeTimeout(Duration.ofSeconds(60)));
    int n = 20;
    for (int i = 0; i < n; i++) {
      s.client();
    }
    s.awaitConnections(n);

    s.server().close();

    KitFixture.await("every close reported").until(() -> closes.size() == n);
    assertThat(closes.values()).as("reports per connection").containsOnly(1);
    // Nothing left for the hub to wait on: its shutdown ends now, not at the close timeout.
    s.hub().shutdown(Duration.ZERO).get(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a clean close removes the connection from the registry, its rooms and its user")
  default void cleanClose_removesEverywhere() throws Exception {
    Map<String, Integer> closes = new ConcurrentHashMap<>();
    KitFixture.Served s = kit().serve(recordingCloses(closes));
    TestClient a = s.connect("a", "user=ada", Map.of());
    TestClient b = s.connect("b", "user=bob", Map.of());
    String idA = s.id("a");
    s.hub().join(idA, "red");
    s.hub().join(s.id("b"), "red");

    a.close(CloseCodes.NORMAL, "bye");

    KitFixture.await("a to leave the registry", s.lossWait())
        .until(() -> s.hub().client(idA).isEmpty());
    assertThat(s.hub().members("red")).extracting(Client::id).doesNotContain(idA);
    assertThat(s.hub().users()).containsExactly("bob");
    KitFixture.await("onClose for a").until(() -> closes.getOrDefault(idA, 0) == 1);
    s.hub().broadcast(Target.room("red"), "still here");
    assertThat(b.awaitText(WAIT)).isEqualTo("still here");

    b.close(CloseCodes.NORMAL, "bye");
    s.awaitEmpty();
    assertThat(closes.values()).containsOnly(1);
  }

  @Test
  @DisplayName("an abrupt disconnect (no close frame) removes the connection too, once")
  default void abort_removesEverywhere() throws Exception {
    Map<String, Integer> closes = new ConcurrentHashMap<>();
    KitFixture.Served s = kit().serve(recordingCloses(closes));
    TestClient a = s.connect("a", "user=ada", Map.of());
    String idA = s.id("a");
    s.hub().join(idA, "red");

    a.abort();

    s.awaitEmpty();
    KitFixture.await("onClose for a", s.lossWait()).until(() -> closes.getOrDefault(idA, 0) == 1);
    assertThat(closes).containsEntry(idA, 1);
  }

  @Test
  @DisplayName("hub.disconnect(id, code, reason) closes the client with that code and reason")
  default void disconnect_sendsCodeAndReason() throws Exception {
    KitFixture.Served s = kit().serve(recordingCloses(new ConcurrentHashMap<>()));
    TestClient a = s.connect("a");

    assertThat(s.hub().disconnect(s.id("a"), 4000, "kicked")).isTrue();

    TestClient.CloseStatus seen = s.assertClosedWith(a, 4000);
    if (s.server().clientsSeeCloseCodes()) {
      assertThat(seen.reason()).isEqualTo("kicked");
    }
    s.awaitEmpty();
  }

  @Test
  @DisplayName("a client that stopped reading is closed at the drain deadline")
  default void shutdown_deadlineClosesStalled() throws Exception {
    KitFixture.Served s =
        kit()
            .serve(
                HubConfig.textBuilder()
                    .policy(BroadcastPolicy.NONE)
                    .closeTimeout(Duration.ofSeconds(2)));
    TestClient slow = s.connect("slow");
    slow.pauseReading();
    String big = "z".repeat(32 * 1024);
    for (int i = 0; i < 30; i++) {
      s.hub().broadcast(Target.all(), big);
    }

    s.hub().shutdown(Duration.ofMillis(500)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(s.hub().clients()).isEmpty();
    slow.resumeReading();
    int code = slow.awaitClose(WAIT).code();
    if (s.server().clientsSeeCloseCodes()) {
      assertThat(code).isIn(CloseCodes.GOING_AWAY, CloseCodes.ABNORMAL);
    }
  }
}

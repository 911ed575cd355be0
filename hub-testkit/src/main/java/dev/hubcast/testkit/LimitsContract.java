package dev.hubcast.testkit;

import static dev.hubcast.testkit.KitFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Client;
import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.Target;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Limits and bad input from a well-formed client: a message over {@code maxMessageBytes} closes its
 * connection with 1009 (one of exactly the limit passes), one the codec cannot take with its code,
 * a handler that throws with 1011; the other connections go on. Not thread-safe: JUnit runs one
 * test of an instance at a time.
 *
 * <p>Run by the {@link TransportCompatibilityKit}. Malformed frames are the {@link
 * RawFramesContract}'s.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public interface LimitsContract {

  /** The fixture of the running test. */
  KitFixture kit();

  @Test
  @DisplayName("a message over maxMessageBytes closes that client with 1009; others go on")
  default void oversize_closes1009() throws Exception {
    KitFixture.Served s =
        kit().serve(HubConfig.textBuilder().policy(BroadcastPolicy.ALL).maxMessageBytes(1024));
    TestClient big = s.connect("big");
    TestClient other = s.connect("other");

    big.sendText("x".repeat(4096));

    s.assertClosedWith(big, CloseCodes.MESSAGE_TOO_BIG);
    assertThat(s.hub().metrics().framesIn()).as("messages that reached the hub").isZero();
    other.sendText("still fine");
    assertThat(other.awaitText(WAIT)).isEqualTo("still fine");
    s.awaitConnections(1);
  }

  @Test
  @DisplayName("a message of exactly maxMessageBytes is accepted")
  default void atLimit_accepted() throws Exception {
    KitFixture.Served s =
        kit().serve(HubConfig.textBuilder().policy(BroadcastPolicy.ALL).maxMessageBytes(1024));
    TestClient a = s.connect("a");

    a.sendText("y".repeat(1024));

    assertThat(a.awaitText(WAIT)).hasSize(1024);
  }

  @Test
  @DisplayName("a binary message to a text-only hub closes that client with 1003")
  default void binaryToTextCodec_closes1003() throws Exception {
    KitFixture.Served s = kit().serve(HubConfig.textBuilder().policy(BroadcastPolicy.ALL));
    s.assumeClientsSendBinary();
    TestClient a = s.connect("a");
    TestClient other = s.connect("other");

    a.sendBinary(new byte[] {1, 2, 3});

    s.assertClosedWith(a, CloseCodes.UNSUPPORTED_DATA);
    assertThat(s.hub().metrics().decodeErrors()).isEqualTo(1);
    s.hub().broadcast(Target.all(), "others unaffected");
    assertThat(other.awaitText(WAIT)).isEqualTo("others unaffected");
  }

  @Test
  @DisplayName("a handler that throws closes that client with 1011; others go on")
  default void handlerThrows_closes1011() throws Exception {
    KitFixture.Served s =
        kit()
            .serve(
                HubConfig.textBuilder()
                    .handler(
                        new HubHandler<>() {
                          @Override
                          public void onMessage(Hub<String> hub, Client client, String message) {
                            if (message.equals("boom")) {
                              throw new IllegalStateException("handler failure (expected by test)");
                            }
                            hub.broadcast(Target.all(), message);
                          }
                        }));
    TestClient bad = s.connect("bad");
    TestClient good = s.connect("good");

    bad.sendText("boom");

    s.assertClosedWith(bad, CloseCodes.INTERNAL_ERROR);
    good.sendText("fine");
    assertThat(good.awaitText(WAIT)).isEqualTo("fine");
    assertThat(s.hub().metrics().handlerErrors()).isEqualTo(1);
  }
}

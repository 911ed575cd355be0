package dev.hubcast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.AuthResult;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Target;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The in-memory transport as its Javadoc shows it, and its refusals. */
@Timeout(30)
class InMemoryTransportTest {

  @Test
  void javadocExample_worksAsWritten() {
    // InMemoryTransport's class Javadoc, as written:
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder() // policy ALL: a client's message goes to every client
                .authenticator(
                    h -> h.queryParam("user").map(AuthResult::user).orElse(AuthResult.anonymous()))
                .build());
    InMemoryClient ada = InMemoryTransport.connect(hub, "user=ada");
    InMemoryClient guest = InMemoryTransport.connect(hub);

    guest.sendText("hello");
    hub.broadcast(Target.user("ada"), "just for ada");

    assertThat(ada.awaitTexts(2, Duration.ofSeconds(1))).containsExactly("hello", "just for ada");
    assertThat(guest.awaitText(Duration.ofSeconds(1))).isEqualTo("hello");
    hub.close();
    // end of the example
    assertThat(ada.awaitClose(Duration.ofSeconds(1)).code()).isEqualTo(1001);
  }

  @Test
  void connect_refused_isHandshakeRefusedWithTheStatus() {
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder()
                .authenticator(h -> AuthResult.unauthorized("no entry"))
                .build());
    try {
      assertThatThrownBy(() -> InMemoryTransport.connect(hub))
          .isInstanceOfSatisfying(
              HandshakeRefusedException.class, e -> assertThat(e.status()).isEqualTo(401));
      assertThat(hub.clients()).isEmpty();
    } finally {
      hub.close();
    }
  }

  @Test
  void connectionId_isTheHubsIdForTheClient() {
    Hub<String> hub = Hub.create(HubConfig.textBuilder().build());
    try {
      InMemoryClient c = InMemoryTransport.connect(hub);

      assertThat(hub.client(c.connectionId())).isPresent();
      assertThat(c).hasToString("InMemoryClient[" + c.connectionId() + "]");
    } finally {
      hub.close();
    }
  }
}

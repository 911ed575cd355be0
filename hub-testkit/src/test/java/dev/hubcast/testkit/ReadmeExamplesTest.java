package dev.hubcast.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.AuthResult;
import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.Target;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A chat handler like the README's, tested on the in-memory transport as an application would. */
@Timeout(30)
class ReadmeExamplesTest {

  // README: quick start
  static Hub<String> chatHub() {
    HubHandler<String> chat =
        new HubHandler<>() {
          @Override
          public void onOpen(Hub<String> hub, Client client) {
            hub.joinAndReplay(client.id(), "lobby", 0); // the last 10 messages first
          }

          @Override
          public void onMessage(Hub<String> hub, Client client, String text) {
            String from = client.user().orElse("anonymous");
            hub.broadcast(Target.room("lobby"), from + ": " + text);
          }
        };
    return Hub.create(
        HubConfig.textBuilder()
            .handler(chat)
            .historySize(10)
            .authenticator(
                h -> h.queryParam("name").map(AuthResult::user).orElse(AuthResult.anonymous()))
            .build());
  }

  // README: end

  @Test
  void quickStart_works() throws Exception {
    Hub<String> hub = chatHub();
    try {
      TestClient ada = InMemoryTransport.connect(hub, "name=ada");
      ada.sendText("hi");
      assertThat(ada.awaitText(Duration.ofSeconds(5))).isEqualTo("ada: hi");

      TestClient bob = InMemoryTransport.connect(hub, "name=bob");
      assertThat(bob.awaitText(Duration.ofSeconds(5))).isEqualTo("ada: hi");

      // README: targets
      hub.broadcast(Target.all(), "server restarting in 5 minutes");
      hub.broadcast(Target.user("ada"), "to every tab Ada has open");
      // README: end
      assertThat(bob.awaitText(Duration.ofSeconds(5))).startsWith("server restarting");
      assertThat(ada.awaitTexts(2, Duration.ofSeconds(5))).endsWith("to every tab Ada has open");
    } finally {
      hub.close();
    }
  }
}

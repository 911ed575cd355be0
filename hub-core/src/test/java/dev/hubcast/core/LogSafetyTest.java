package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.spi.Acceptor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Tokens and payloads never reach the logs, whatever goes wrong. The test logging backend
 * (slf4j-simple) writes to {@code System.err}, which the test captures.
 */
class LogSafetyTest {

  private static final String TOKEN = "tok-7f3a9c1e5b";
  private static final String SECRET_PAYLOAD = "payload-d41d8cd98f";

  @Test
  void refusalsFailuresAndBadInput_logNeitherTokensNorPayloads() throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      Hub<String> hub =
          Hub.create(
              HubConfig.textBuilder()
                  .maxMessageBytes(64)
                  .authenticator(
                      h -> {
                        String token = h.queryParam("token").orElse("");
                        if (token.equals("throw-" + TOKEN)) {
                          throw new IllegalArgumentException("bad token " + token);
                        }
                        return token.equals(TOKEN)
                            ? AuthResult.user("ada")
                            : AuthResult.unauthorized("unknown token");
                      })
                  .handler(
                      new HubHandler<>() {
                        @Override
                        public void onMessage(Hub<String> h, Client c, String m) {
                          if (m.startsWith("boom")) {
                            throw new IllegalStateException("handler failed");
                          }
                        }
                      })
                  .build());
      Map<String, List<String>> authHeader =
          Map.of("Authorization", List.of("Bearer " + TOKEN), "Cookie", List.of("s=" + TOKEN));

      Acceptor.of(hub).admit(FakeConnection.handshake("127.0.0.1", "token=x" + TOKEN, authHeader));
      Acceptor.of(hub)
          .admit(FakeConnection.handshake("127.0.0.1", "token=throw-" + TOKEN, authHeader));
      FakeConnection a = FakeConnection.open(hub, "127.0.0.1", "token=" + TOKEN, authHeader);
      FakeConnection b = FakeConnection.open(hub, "127.0.0.1", "token=" + TOKEN, authHeader);
      FakeConnection c = FakeConnection.open(hub, "127.0.0.1", "token=" + TOKEN, authHeader);
      a.inbound()
          .onMessage(
              Message.textUtf8(
                  ("bad \u00ff " + SECRET_PAYLOAD).getBytes(StandardCharsets.ISO_8859_1)));
      b.inbound().onMessage(Message.text(SECRET_PAYLOAD.repeat(10)));
      c.inbound().onMessage(Message.text("boom " + SECRET_PAYLOAD));
      hub.shutdown(Duration.ZERO).get(5, TimeUnit.SECONDS);
    } finally {
      System.setErr(original);
    }

    String logs = captured.toString(StandardCharsets.UTF_8);
    assertThat(logs)
        .as("something was logged")
        .contains("authenticator threw java.lang.IllegalArgumentException")
        .contains("undecodable message")
        .contains("over the limit")
        .contains("handler onMessage failed");
    assertThat(logs).doesNotContain(TOKEN).doesNotContain(SECRET_PAYLOAD);
  }
}

package dev.hubcast.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Target;
import dev.hubcast.core.spi.TlsIdentity;
import dev.hubcast.testkit.JdkWebSocketClient;
import dev.hubcast.testkit.TestCertificates;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** wss:// on the Jetty server, from a key store or PEM files, with the JDK's WebSocket client. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JettyTlsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir static Path dir;
  private static TestCertificates certs;

  private Hub<String> hub;
  private JettyHubServer server;

  @BeforeAll
  static void makeCertificate() throws Exception {
    certs = TestCertificates.generate(dir);
  }

  @AfterEach
  void stop() throws Exception {
    if (hub != null) {
      hub.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  private void start(TlsIdentity identity) {
    hub = Hub.create(HubConfig.textBuilder().policy(BroadcastPolicy.ALL).build());
    server = JettyHubServer.builder(hub).host("127.0.0.1").port(0).tls(identity).start();
  }

  private static HttpClient trusting() {
    return HttpClient.newBuilder().sslContext(certs.clientContext()).build();
  }

  @Test
  void aKeyStore_servesWss_toAClientThatTrustsIt() throws Exception {
    start(certs.identity());
    assertThat(server.uri().getScheme()).isEqualTo("wss");
    assertThat(server.isSecure()).isTrue();

    try (JdkWebSocketClient a = JdkWebSocketClient.connect(trusting(), server.uri(), Map.of());
        JdkWebSocketClient b = JdkWebSocketClient.connect(trusting(), server.uri(), Map.of())) {
      Awaitility.await().until(() -> hub.clients().size() == 2);
      a.sendText("over tls");
      assertThat(b.awaitText(WAIT)).isEqualTo("over tls");
      hub.broadcast(Target.all(), "x".repeat(100_000));
      assertThat(a.awaitText(WAIT)).isEqualTo("over tls");
      assertThat(a.awaitText(WAIT)).hasSize(100_000);
    }
  }

  @Test
  void pemFiles_serveWssToo() throws Exception {
    start(TlsIdentity.pem(certs.certificatePem(), certs.privateKeyPem()));
    server.close();
    server = ReadmeSnippets.tls(hub, certs.pkcs12(), certs.password()); // docs/transports.md

    try (JdkWebSocketClient a = JdkWebSocketClient.connect(trusting(), server.uri(), Map.of())) {
      Awaitility.await().until(() -> hub.clients().size() == 1);
      hub.broadcast(Target.all(), "hello");
      assertThat(a.awaitText(WAIT)).isEqualTo("hello");
    }
  }

  @Test
  void aClientThatDoesNotTrustTheCertificate_failsTheHandshake_andNothingIsRegistered() {
    start(certs.identity());

    assertThatThrownBy(() -> JdkWebSocketClient.connect(server.uri()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("could not connect");
    assertThat(hub.clients()).isEmpty();
    assertThat(hub.metrics().connectionsOpened()).isZero();
  }

  @Test
  void badIdentities_areRefused_namingTheFile() throws Exception {
    Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
    Path rsa =
        Files.writeString(
            dir.resolve("rsa.pem"),
            "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");

    assertThatThrownBy(() -> TlsIdentity.pkcs12(certs.pkcs12(), "wrong".toCharArray()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(certs.pkcs12().toString());
    assertThatThrownBy(() -> TlsIdentity.pem(notPem, certs.privateKeyPem()))
        .hasMessageContaining("certificateChain: " + notPem);
    assertThatThrownBy(() -> TlsIdentity.pem(certs.certificatePem(), notPem))
        .hasMessageContaining("privateKey: " + notPem);
    assertThatThrownBy(() -> TlsIdentity.pem(certs.certificatePem(), rsa))
        .hasMessageContaining("RSA PRIVATE KEY")
        .hasMessageContaining("openssl pkcs8 -topk8");
    assertThat(certs.identity().toString()).doesNotContain("test-only");
  }
}

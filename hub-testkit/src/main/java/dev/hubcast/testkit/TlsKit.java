package dev.hubcast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Target;
import dev.hubcast.core.spi.HubServer;
import dev.hubcast.core.spi.TlsIdentity;
import java.net.http.HttpClient;
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

/**
 * {@code wss://} on a transport's server, from a key store and from PEM files, with the JDK's
 * WebSocket client: a client that trusts the certificate talks to the hub both ways (a 100 kB frame
 * included), one that does not fails its handshake with nothing registered. Extend it with the way
 * the transport's server starts with a {@link TlsIdentity}:
 *
 * <pre>{@code
 * class NettyTlsTest extends TlsKit {
 *   protected HubServer start(Hub<String> hub, TlsIdentity identity) {
 *     return NettyHubServer.builder(hub).host("127.0.0.1").port(0).tls(identity).start();
 *   }
 * }
 * }</pre>
 *
 * <p>Not thread-safe: JUnit runs one test of an instance at a time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TlsKit {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir static Path dir;
  private static TestCertificates certs;

  private Hub<String> hub;
  private HubServer server;

  /** For subclasses. */
  protected TlsKit() {}

  /** Starts {@code hub}'s server on {@code 127.0.0.1}, an ephemeral port, with {@code identity}. */
  protected abstract HubServer start(Hub<String> hub, TlsIdentity identity) throws Exception;

  /**
   * Starts {@code hub}'s server from a PKCS#12 key store the way the transport's documentation
   * shows; by default {@link #start} with {@link TlsIdentity#pkcs12}.
   */
  protected HubServer startFromKeyStore(Hub<String> hub, Path keyStore, char[] password)
      throws Exception {
    return start(hub, TlsIdentity.pkcs12(keyStore, password));
  }

  /**
   * Starts {@code hub}'s server from PEM files the way the transport's documentation shows; by
   * default {@link #start} with {@link TlsIdentity#pem}.
   */
  protected HubServer startFromPem(Hub<String> hub, Path certificateChain, Path privateKey)
      throws Exception {
    return start(hub, TlsIdentity.pem(certificateChain, privateKey));
  }

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

  private static Hub<String> newHub() {
    return Hub.create(HubConfig.textBuilder().policy(BroadcastPolicy.ALL).build());
  }

  private static HttpClient trusting() {
    return HttpClient.newBuilder().sslContext(certs.clientContext()).build();
  }

  @Test
  void aKeyStore_servesWss_toAClientThatTrustsIt() throws Exception {
    hub = newHub();
    server = startFromKeyStore(hub, certs.pkcs12(), certs.password());
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
    hub = newHub();
    server = startFromPem(hub, certs.certificatePem(), certs.privateKeyPem());
    assertThat(server.isSecure()).isTrue();

    try (JdkWebSocketClient a = JdkWebSocketClient.connect(trusting(), server.uri(), Map.of())) {
      Awaitility.await().until(() -> hub.clients().size() == 1);
      hub.broadcast(Target.all(), "hello");
      assertThat(a.awaitText(WAIT)).isEqualTo("hello");
    }
  }

  @Test
  void aClientThatDoesNotTrustTheCertificate_failsTheHandshake_andNothingIsRegistered()
      throws Exception {
    hub = newHub();
    server = start(hub, certs.identity());

    assertThatThrownBy(() -> JdkWebSocketClient.connect(server.uri()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("could not connect");
    assertThat(hub.clients()).isEmpty();
    assertThat(hub.metrics().connectionsOpened()).isZero();
  }
}

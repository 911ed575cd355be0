package dev.hubcast.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.HubConfig;
import dev.hubcast.core.Target;
import dev.hubcast.testkit.RedisServer;
import dev.hubcast.testkit.TestCertificates;
import dev.hubcast.testkit.TestClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backplane over {@code rediss://} to a Redis that requires a password ({@code requirepass}),
 * with a certificate the test makes: two nodes act as one hub; a wrong password or an untrusted
 * certificate keeps a node out, saying so without the password; no log line holds it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RedisTlsTest {

  private static final String PASSWORD = "s3cret-9f2c71";
  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir static Path dir;
  private static TestCertificates certs;
  private static RedisServer redis;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCertificates.generate(dir);
    redis = RedisServer.start(PASSWORD, certs);
  }

  @AfterAll
  static void stop() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void twoNodesOverRedissWithAPassword_actAsOneHub_andNoLogLineHoldsThePassword() throws Exception {
    assertThat(redis.uri()).startsWith("rediss://:" + PASSWORD + "@");
    assertThat(redis.toString()).doesNotContain(PASSWORD);
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (Nodes nodes = new Nodes(redis.uri(), "tls")) {
      Nodes.Node a =
          nodes.start(
              "a",
              Nodes.Transport.NETTY,
              HubConfig.textBuilder(),
              b -> b.trustedCertificates(certs.certificatePem()));
      Nodes.Node b =
          nodes.start(
              "b",
              Nodes.Transport.JETTY,
              HubConfig.textBuilder(),
              o -> o.trustedCertificates(certs.certificatePem()));
      TestClient onB = b.server().connect();
      await().until(() -> b.hub().clients().size() == 1);

      await("a's broadcast to reach b's client over rediss")
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                a.hub().broadcast(Target.all(), "over tls");
                assertThat(onB.awaitText(Duration.ofMillis(500))).isEqualTo("over tls");
              });
      onB.abort();
    } finally {
      System.setErr(original);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("ready")
        .doesNotContain(PASSWORD);
  }

  @Test
  void aWrongPassword_orAnUntrustedCertificate_keepsTheNodeOut_sayingWhyWithoutThePassword()
      throws Exception {
    String wrong = redis.uri().replace(PASSWORD, "wrong-pass-4411");
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (Nodes badPassword = new Nodes(wrong, "tls2");
        Nodes untrusted = new Nodes(redis.uri(), "tls2")) {
      badPassword.start(
          "p",
          Nodes.Transport.NETTY,
          HubConfig.textBuilder(),
          o -> o.trustedCertificates(certs.certificatePem()));
      untrusted.start("u", Nodes.Transport.NETTY, HubConfig.textBuilder());

      await("both nodes to report redis unreachable")
          .atMost(WAIT)
          .until(
              () -> {
                String log = captured.toString(StandardCharsets.UTF_8);
                return log.contains("node p: redis") && log.contains("node u: redis");
              });
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log)
        .contains("unreachable")
        .doesNotContain(PASSWORD)
        .doesNotContain("wrong-pass-4411");
  }
}

package dev.hubcast.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.spi.TlsIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The core's TlsIdentity with real key material: a bad file is refused, naming it. */
class TlsIdentityTest {

  @TempDir static Path dir;
  private static TestCertificates certs;

  @BeforeAll
  static void makeCertificate() throws Exception {
    certs = TestCertificates.generate(dir);
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

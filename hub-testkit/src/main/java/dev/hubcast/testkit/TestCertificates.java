package dev.hubcast.testkit;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.spi.TlsIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate made for a test, with the JDK's {@code keytool}: valid for {@code
 * 127.0.0.1} and {@code localhost}, as a PKCS#12 key store and as PEM files, with a client {@code
 * SSLContext} that trusts it. Immutable and thread-safe once made.
 *
 * <pre>{@code
 * TestCertificates certs = TestCertificates.generate(tempDir);
 * NettyHubServer server = NettyHubServer.builder(hub).tls(certs.identity()).port(0).start();
 * HttpClient http = HttpClient.newBuilder().sslContext(certs.clientContext()).build();
 * JdkWebSocketClient c = JdkWebSocketClient.connect(http, server.uri(), Map.of());
 * }</pre>
 */
public final class TestCertificates {

  private static final char[] PASSWORD = "test-only".toCharArray();

  private final Path pkcs12;
  private final Path certificatePem;
  private final Path privateKeyPem;
  private final KeyStore store;

  private TestCertificates(Path pkcs12, Path certificatePem, Path privateKeyPem, KeyStore store) {
    this.pkcs12 = pkcs12;
    this.certificatePem = certificatePem;
    this.privateKeyPem = privateKeyPem;
    this.store = store;
  }

  /**
   * Makes a 2048-bit RSA key and its self-signed certificate in {@code dir}: {@code server.p12},
   * {@code server.crt.pem}, {@code server.key.pem}.
   *
   * @throws IllegalStateException if {@code keytool} fails
   */
  public static TestCertificates generate(Path dir) throws IOException, InterruptedException {
    requireNonNull(dir, "dir");
    Path p12 = dir.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p =
        new ProcessBuilder(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype",
                "PKCS12",
                "-keystore",
                p12.toString(),
                "-storepass",
                new String(PASSWORD),
                "-keypass",
                new String(PASSWORD))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + out);
    }
    try (InputStream in = Files.newInputStream(p12)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, PASSWORD);
      Certificate cert = store.getCertificate("server");
      Key key = store.getKey("server", PASSWORD);
      Path crt = dir.resolve("server.crt.pem");
      Path pem = dir.resolve("server.key.pem");
      Files.writeString(crt, pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
      Files.writeString(pem, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
      return new TestCertificates(p12, crt, pem, store);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("keytool made a key store that cannot be read", e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /** The key store file. */
  public Path pkcs12() {
    return pkcs12;
  }

  /** The key store's password (test only). */
  public char[] password() {
    return PASSWORD.clone();
  }

  /** The certificate, PEM. */
  public Path certificatePem() {
    return certificatePem;
  }

  /** The private key, unencrypted PKCS#8 PEM. */
  public Path privateKeyPem() {
    return privateKeyPem;
  }

  /** The identity for a server's {@code tls(...)}, from the key store. */
  public TlsIdentity identity() {
    return TlsIdentity.pkcs12(pkcs12, PASSWORD);
  }

  /** An {@code SSLContext} for clients that trusts this certificate and nothing else. */
  public SSLContext clientContext() {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("server", store.getCertificate("server"));
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot make a client context", e);
    }
  }

  /**
   * The base64 SHA-256 of the certificate's public key, for Chromium's {@code
   * --ignore-certificate-errors-spki-list}: the browser then accepts this certificate only.
   */
  public String spkiSha256() {
    try {
      byte[] spki = store.getCertificate("server").getPublicKey().getEncoded();
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(spki));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "TestCertificates[" + pkcs12 + "]";
  }

  /** The files it made, for a test that lists them. */
  List<Path> files() {
    return List.of(pkcs12, certificatePem, privateKeyPem);
  }
}

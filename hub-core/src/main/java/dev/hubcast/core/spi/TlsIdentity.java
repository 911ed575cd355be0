package dev.hubcast.core.spi;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;

/**
 * A server's TLS identity: its private key and certificate chain, for {@code wss://} on the
 * embedded servers ({@code JettyHubServer.Builder.tls}, {@code NettyHubServer.Builder.tls}). Read
 * from a PKCS#12 key store or from PEM files, with the JDK only.
 *
 * <pre>{@code
 * TlsIdentity id = TlsIdentity.pem(Path.of("fullchain.pem"), Path.of("privkey.pem"));
 * NettyHubServer.builder(hub).port(8443).tls(id).start();   // wss://host:8443/ws
 * }</pre>
 *
 * <p>Immutable and thread-safe. Its {@link #toString()} shows where it came from, never the key or
 * a password.
 */
public final class TlsIdentity {

  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");
  private static final char[] NO_PASSWORD = "hubcast".toCharArray();

  private final KeyStore keyStore;
  private final char[] password;
  private final String source;

  private TlsIdentity(KeyStore keyStore, char[] password, String source) {
    this.keyStore = keyStore;
    this.password = password;
    this.source = source;
  }

  /**
   * Reads a PKCS#12 key store ({@code .p12}, {@code .pfx}) holding one private key and its chain,
   * the key protected by the store's password.
   *
   * @throws IllegalArgumentException naming the file if it cannot be read, the password is wrong,
   *     or it holds no private key
   */
  public static TlsIdentity pkcs12(Path file, char[] password) {
    requireNonNull(file, "file");
    requireNonNull(password, "password");
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      checkHasKey(store, file);
      return new TlsIdentity(store, password.clone(), "pkcs12:" + file);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "keyStore: " + file + " (cannot be read as PKCS#12 with this password: " + e + ")", e);
    }
  }

  /**
   * Reads a certificate chain (PEM, the server's certificate first) and its private key (an
   * unencrypted PKCS#8 PEM, {@code BEGIN PRIVATE KEY}: RSA, EC or Ed25519), as most certificate
   * authorities and {@code certbot} hand them out.
   *
   * @throws IllegalArgumentException naming the file that cannot be read or is not what is expected
   *     (an encrypted or PKCS#1 {@code BEGIN RSA PRIVATE KEY} key is refused with how to convert
   *     it)
   */
  public static TlsIdentity pem(Path certificateChain, Path privateKey) {
    requireNonNull(certificateChain, "certificateChain");
    requireNonNull(privateKey, "privateKey");
    List<Certificate> chain = readChain(certificateChain);
    PrivateKey key = readKey(privateKey);
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("hubcast", key, NO_PASSWORD, chain.toArray(new Certificate[0]));
      return new TlsIdentity(
          store, NO_PASSWORD.clone(), "pem:" + certificateChain + "," + privateKey);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "privateKey: " + privateKey + " (does not go with " + certificateChain + ": " + e + ")",
          e);
    }
  }

  private static List<Certificate> readChain(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      List<Certificate> chain =
          List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
      if (chain.isEmpty()) {
        throw new IllegalArgumentException("certificateChain: " + file + " (no certificate in it)");
      }
      return chain;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "certificateChain: " + file + " (cannot be read as PEM certificates: " + e + ")", e);
    }
  }

  private static PrivateKey readKey(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("privateKey: " + file + " (cannot be read: " + e + ")", e);
    }
    Matcher m = PEM.matcher(text);
    if (!m.find()) {
      throw new IllegalArgumentException("privateKey: " + file + " (no PEM block in it)");
    }
    if (!m.group(1).equals("PRIVATE KEY")) {
      throw new IllegalArgumentException(
          "privateKey: "
              + file
              + " (a "
              + m.group(1)
              + "; expected an unencrypted PKCS#8 PRIVATE KEY: convert it with"
              + " `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8.pem`)");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(2));
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "EdDSA")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // not this algorithm: try the next
      }
    }
    throw new IllegalArgumentException(
        "privateKey: " + file + " (not an RSA, EC or Ed25519 PKCS#8 key)");
  }

  private static void checkHasKey(KeyStore store, Path file) throws GeneralSecurityException {
    for (String alias : Collections.list(store.aliases())) {
      if (store.isKeyEntry(alias)) {
        return;
      }
    }
    throw new IllegalArgumentException("keyStore: " + file + " (holds no private key)");
  }

  /** The key managers for an {@code SSLContext} or a TLS library. */
  public KeyManagerFactory keyManagerFactory() {
    try {
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keyStore, password);
      return kmf;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the key of " + source + " cannot be used: " + e, e);
    }
  }

  /** The identity as a PKCS#12 key store (for libraries that take one, as Jetty's does). */
  public KeyStore keyStore() {
    return keyStore;
  }

  /** The password of {@link #keyStore()} and of its key: a copy. */
  public char[] password() {
    return password.clone();
  }

  @Override
  public String toString() {
    return "TlsIdentity[" + source + "]";
  }
}

package dev.hubcast.jetty;

import dev.hubcast.core.Hub;
import dev.hubcast.core.spi.HubServer;
import dev.hubcast.core.spi.TlsIdentity;
import dev.hubcast.testkit.TlsKit;
import java.nio.file.Path;

/** wss:// on the Jetty server: the testkit's TLS checks. */
class JettyTlsTest extends TlsKit {

  @Override
  protected HubServer start(Hub<String> hub, TlsIdentity identity) {
    return JettyHubServer.builder(hub).host("127.0.0.1").port(0).tls(identity).start();
  }

  @Override
  protected HubServer startFromKeyStore(Hub<String> hub, Path keyStore, char[] password) {
    return ReadmeSnippets.tls(hub, keyStore, password); // as docs/transports.md shows it
  }
}

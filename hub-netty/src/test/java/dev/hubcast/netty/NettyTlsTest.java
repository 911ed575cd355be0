package dev.hubcast.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.Hub;
import dev.hubcast.core.spi.HubServer;
import dev.hubcast.core.spi.TlsIdentity;
import dev.hubcast.testkit.TlsKit;
import java.nio.file.Path;

/** wss:// on the Netty server: the testkit's TLS checks. */
class NettyTlsTest extends TlsKit {

  @Override
  protected HubServer start(Hub<String> hub, TlsIdentity identity) {
    NettyHubServer server =
        NettyHubServer.builder(hub).host("127.0.0.1").port(0).tls(identity).start();
    assertThat(server.toString()).contains("tls");
    return server;
  }

  @Override
  protected HubServer startFromPem(Hub<String> hub, Path certificateChain, Path privateKey) {
    return ReadmeSnippets.tls(hub, certificateChain, privateKey); // as docs/transports.md shows it
  }
}

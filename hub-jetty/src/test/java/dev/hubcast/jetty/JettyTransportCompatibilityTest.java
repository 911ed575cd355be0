package dev.hubcast.jetty;

import dev.hubcast.core.Hub;
import dev.hubcast.testkit.TestServer;
import dev.hubcast.testkit.TransportCompatibilityKit;
import java.net.URI;

class JettyTransportCompatibilityTest extends TransportCompatibilityKit {

  @Override
  protected TestServer start(Hub<String> hub) throws Exception {
    JettyHubServer server =
        JettyHubServer.builder(hub).host("127.0.0.1").port(0).path("/ws").start();
    return TestServer.webSocket(
        URI.create("ws://127.0.0.1:" + server.port() + "/ws"), server::close);
  }
}

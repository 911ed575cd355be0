package dev.hubcast.jakarta;

import dev.hubcast.core.Hub;
import dev.hubcast.testkit.TestServer;
import dev.hubcast.testkit.TransportCompatibilityKit;

/** The shared contracts on Jetty 12 ee11. */
class JettyJakartaTransportCompatibilityTest extends TransportCompatibilityKit {

  @Override
  protected TestServer start(Hub<String> hub) throws Exception {
    return Containers.jetty(hub).testServer();
  }
}

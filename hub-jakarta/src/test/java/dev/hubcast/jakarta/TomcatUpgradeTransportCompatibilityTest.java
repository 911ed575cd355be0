package dev.hubcast.jakarta;

import dev.hubcast.core.Hub;
import dev.hubcast.testkit.TestServer;
import dev.hubcast.testkit.TransportCompatibilityKit;

/** The shared contracts on Tomcat 11, the hub on the servlet HTTP upgrade. */
class TomcatUpgradeTransportCompatibilityTest extends TransportCompatibilityKit {

  @Override
  protected TestServer start(Hub<String> hub) throws Exception {
    return Containers.tomcatUpgrade(hub).testServer();
  }
}

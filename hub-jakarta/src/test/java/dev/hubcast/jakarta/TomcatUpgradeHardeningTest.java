package dev.hubcast.jakarta;

import dev.hubcast.core.Hub;
import dev.hubcast.testkit.HardeningKit;
import dev.hubcast.testkit.TestServer;

/** Abuse, faults and bad input against the servlet HTTP upgrade on Tomcat. */
class TomcatUpgradeHardeningTest extends HardeningKit {

  @Override
  protected TestServer start(Hub<String> hub) throws Exception {
    return Containers.tomcatUpgrade(hub).testServer();
  }
}

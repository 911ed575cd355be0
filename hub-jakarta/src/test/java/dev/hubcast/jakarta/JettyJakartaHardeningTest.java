package dev.hubcast.jakarta;

import dev.hubcast.core.Hub;
import dev.hubcast.testkit.HardeningKit;
import dev.hubcast.testkit.TestServer;

/** Abuse, faults and bad input against the Jakarta adapter on Jetty ee11. */
class JettyJakartaHardeningTest extends HardeningKit {

  @Override
  protected TestServer start(Hub<String> hub) throws Exception {
    return Containers.jetty(hub).testServer();
  }
}

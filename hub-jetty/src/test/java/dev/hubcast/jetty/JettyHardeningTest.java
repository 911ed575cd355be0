package dev.hubcast.jetty;

import dev.hubcast.core.Hub;
import dev.hubcast.testkit.HardeningKit;
import dev.hubcast.testkit.TestServer;

/** Abuse, faults and bad input against the Jetty adapter. */
class JettyHardeningTest extends HardeningKit {

  @Override
  protected TestServer start(Hub<String> hub) throws Exception {
    JettyHubServer server =
        JettyHubServer.builder(hub).host("127.0.0.1").port(0).path("/ws").start();
    return TestServer.webSocket(server.uri(), server);
  }
}

package dev.hubcast.netty;

import dev.hubcast.core.Hub;
import dev.hubcast.testkit.HardeningKit;
import dev.hubcast.testkit.TestServer;
import java.net.URI;

/** Abuse, faults and bad input against the Netty adapter. */
class NettyHardeningTest extends HardeningKit {

  @Override
  protected TestServer start(Hub<String> hub) throws Exception {
    NettyHubServer server =
        NettyHubServer.builder(hub).host("127.0.0.1").port(0).path("/ws").start();
    return TestServer.webSocket(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), server);
  }
}

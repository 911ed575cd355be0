package dev.hubcast.netty;

import dev.hubcast.core.Hub;
import dev.hubcast.testkit.TestServer;
import dev.hubcast.testkit.TransportCompatibilityKit;
import java.net.URI;

class NettyTransportCompatibilityTest extends TransportCompatibilityKit {
  @Override
  protected TestServer start(Hub<String> hub) throws Exception {
    NettyHubServer server =
        NettyHubServer.builder(hub).host("127.0.0.1").port(0).path("/ws").start();
    int port = server.port();
    return TestServer.webSocket(URI.create("ws://127.0.0.1:" + port + "/ws"), server::close);
  }
}

package dev.hubcast.netty;

import dev.hubcast.core.Hub;
import dev.hubcast.core.spi.HubServer;
import dev.hubcast.testkit.ExhaustionKit;

/**
 * The Netty server at its file-descriptor limit and under a flood of half-open connections. The
 * file-descriptor test runs this class's {@link #start} in a child JVM.
 */
class NettyExhaustionTest extends ExhaustionKit {

  @Override
  protected HubServer start(Hub<String> hub) {
    return NettyHubServer.builder(hub).host("127.0.0.1").port(0).path("/ws").start();
  }
}

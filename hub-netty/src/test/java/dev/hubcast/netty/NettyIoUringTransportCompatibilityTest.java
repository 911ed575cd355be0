package dev.hubcast.netty;

import dev.hubcast.core.Hub;
import dev.hubcast.testkit.TestServer;
import dev.hubcast.testkit.TransportCompatibilityKit;
import io.netty.channel.uring.IoUring;
import java.net.URI;
import org.junit.jupiter.api.Assumptions;

/** The shared contracts on NettyHubServer with the io_uring transport, where the kernel has it. */
class NettyIoUringTransportCompatibilityTest extends TransportCompatibilityKit {
  @Override
  protected TestServer start(Hub<String> hub) throws Exception {
    Assumptions.assumeTrue(
        IoUring.isAvailable(),
        () -> "io_uring is not available here: " + IoUring.unavailabilityCause());
    NettyHubServer server =
        NettyHubServer.builder(hub).host("127.0.0.1").port(0).path("/ws").ioUring(true).start();
    if (!server.ioTransport().equals("io_uring")) {
      server.close();
      throw new IllegalStateException("expected io_uring, got " + server.ioTransport());
    }
    return TestServer.webSocket(
        URI.create("ws://127.0.0.1:" + server.port() + "/ws"), server::close);
  }
}

package dev.hubcast.sse;

import dev.hubcast.core.Hub;
import dev.hubcast.testkit.TestServer;
import dev.hubcast.testkit.TransportCompatibilityKit;

/** The conformance kit, unchanged, on event streams with POST. */
class SseTransportCompatibilityTest extends TransportCompatibilityKit {
  @Override
  protected TestServer start(Hub<String> hub) {
    return SseTestServer.start(hub);
  }
}

package dev.hubcast.testkit;

import dev.hubcast.core.Hub;

/** The in-memory transport passes the whole kit. */
class InMemoryTransportCompatibilityTest extends TransportCompatibilityKit {

  @Override
  protected TestServer start(Hub<String> hub) {
    return InMemoryTransport.serve(hub);
  }
}

package dev.hubcast.testkit;

import dev.hubcast.core.Hub;

/**
 * The hardening kit on the in-memory transport: everything but the WebSocket section, which it
 * skips, saying why (the transport has no socket).
 */
class InMemoryHardeningTest extends HardeningKit {

  @Override
  protected TestServer start(Hub<String> hub) {
    return InMemoryTransport.serve(hub);
  }
}

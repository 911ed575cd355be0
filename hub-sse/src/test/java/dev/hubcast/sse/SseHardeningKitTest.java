package dev.hubcast.sse;

import dev.hubcast.core.Hub;
import dev.hubcast.testkit.HardeningKit;
import dev.hubcast.testkit.TestServer;

/**
 * The hardening kit's transport-neutral parts on event streams (its WebSocket section is skipped,
 * with the reason); {@link SseHardeningTest} adds what is particular to streams and POSTs.
 */
class SseHardeningKitTest extends HardeningKit {
  @Override
  protected TestServer start(Hub<String> hub) {
    return SseTestServer.start(hub);
  }
}

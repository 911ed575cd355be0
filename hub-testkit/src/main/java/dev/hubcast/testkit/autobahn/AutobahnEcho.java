package dev.hubcast.testkit.autobahn;

import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.core.OriginPolicy;

/**
 * The application the Autobahn TestSuite checks, the same on every adapter: a hub of raw frames
 * whose handler sends each client message back to its sender as it is (text as text, binary as
 * binary). Every other behaviour Autobahn probes (pings, fragments, UTF-8, close codes, protocol
 * errors) is the adapter's. Thread-safe (stateless).
 */
public final class AutobahnEcho {

  private AutobahnEcho() {}

  /** The echo hub, with limits above Autobahn's largest cases (16 MiB messages). */
  public static Hub<Message> hub() {
    return Hub.create(
        HubConfig.builder(MessageCodec.identity())
            .originPolicy(OriginPolicy.any())
            .maxMessageBytes(32 * 1024 * 1024)
            .outboxLimits(128L * 1024 * 1024, 100_000)
            .handler(
                new HubHandler<>() {
                  @Override
                  public void onMessage(Hub<Message> hub, Client client, Message frame) {
                    hub.send(client.id(), frame);
                  }
                })
            .build());
  }
}

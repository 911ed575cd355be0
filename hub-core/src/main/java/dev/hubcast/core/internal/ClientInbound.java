package dev.hubcast.core.internal;

import dev.hubcast.core.Message;
import dev.hubcast.core.spi.Inbound;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Inbound} an adapter reports one connection to: hands each report to the pipeline or
 * the lifecycle, inside a {@link CallbackScope}, and never lets anything escape to the adapter. A
 * message or error reported after the close is counted as a violation and ignored. Called by one
 * thread at a time per connection.
 */
final class ClientInbound implements Inbound {
  private static final Logger log = LoggerFactory.getLogger(dev.hubcast.core.Hub.class);

  /** The sink for a connection the hub refused after the upgrade: only the close matters. */
  static final Inbound IGNORE =
      new Inbound() {
        @Override
        public void onMessage(Message message) {}

        @Override
        public void onClose(int code, String reason) {}

        @Override
        public void onError(Throwable cause) {}
      };

  private final DefaultClient client;
  private final InboundPipeline<?> pipeline;
  private final Lifecycle<?> lifecycle;

  ClientInbound(DefaultClient client, InboundPipeline<?> pipeline, Lifecycle<?> lifecycle) {
    this.client = client;
    this.pipeline = pipeline;
    this.lifecycle = lifecycle;
  }

  @Override
  public void onMessage(Message message) {
    if (client.state == DefaultClient.State.CLOSED) {
      lifecycle.reportAfterClose(client);
      return;
    }
    CallbackScope.enter();
    try {
      pipeline.onMessage(client, message);
    } catch (RuntimeException e) {
      log.warn("connection {}: message not handled", client.id(), e);
    } finally {
      CallbackScope.exit();
    }
  }

  @Override
  public void onClose(int code, String reason) {
    CallbackScope.enter();
    try {
      lifecycle.onTransportClose(client, code, reason);
    } catch (RuntimeException e) {
      log.warn("connection {}: close not handled", client.id(), e);
    } finally {
      CallbackScope.exit();
    }
  }

  @Override
  public void onError(Throwable cause) {
    if (client.state == DefaultClient.State.CLOSED) {
      lifecycle.reportAfterClose(client);
      return;
    }
    CallbackScope.enter();
    try {
      lifecycle.onTransportError(client, cause);
    } catch (RuntimeException e) {
      log.warn("connection {}: error not handled", client.id(), e);
    } finally {
      CallbackScope.exit();
    }
  }

  @Override
  public String toString() {
    return "Inbound[" + client.id() + "]";
  }
}

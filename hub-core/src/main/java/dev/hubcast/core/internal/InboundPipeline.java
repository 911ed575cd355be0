package dev.hubcast.core.internal;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.HubMetrics;
import dev.hubcast.core.Message;
import dev.hubcast.core.MessageCodec;
import dev.hubcast.core.MessageDecodingException;
import dev.hubcast.core.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to one client message: the size and rate limits, decoding, then the application's
 * handler or the broadcast policy. Never throws. Called by one thread at a time per connection (the
 * adapter's), so a connection's token bucket and warn-once flag need no lock.
 */
final class InboundPipeline<M> {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  private final String nodeId;
  private final MessageCodec<M> codec;
  private final BroadcastPolicy policy;
  private final int maxMessageBytes;
  private final Handlers<M> handlers;
  private final Sender<M> sender;
  private final Lifecycle<M> lifecycle;
  private final Counters counters;

  InboundPipeline(
      String nodeId,
      MessageCodec<M> codec,
      BroadcastPolicy policy,
      int maxMessageBytes,
      Handlers<M> handlers,
      Sender<M> sender,
      Lifecycle<M> lifecycle,
      Counters counters) {
    this.nodeId = nodeId;
    this.codec = codec;
    this.policy = policy;
    this.maxMessageBytes = maxMessageBytes;
    this.handlers = handlers;
    this.sender = sender;
    this.lifecycle = lifecycle;
    this.counters = counters;
  }

  void onMessage(DefaultClient c, Message message) {
    if (c.state != DefaultClient.State.OPEN) {
      return;
    }
    counters.framesIn.increment();
    counters.bytesIn.add(message.length());
    if (message.length() > maxMessageBytes) {
      // The adapter should have refused it before reading it all; hold the line anyway.
      lifecycle.violation(c, HubMetrics.TransportViolation.OVERSIZE_MESSAGE);
      warnOnce(c, "message of " + message.length() + " bytes over the limit of " + maxMessageBytes);
      lifecycle.terminate(
          c, CloseCodes.MESSAGE_TOO_BIG, CloseCodes.tooBigReason(maxMessageBytes), true);
      return;
    }
    if (c.rateLimit != null && !c.rateLimit.tryAcquire()) {
      counters.rateLimited.increment();
      warnOnce(c, "over the rate limit");
      if (handlers.isInstalled()) {
        HubHandler<M> h = handlers.handler();
        handlers.dispatch(
            c, () -> h.onRateLimited(handlers.hub(), c), "onRateLimited", lifecycle::close);
      } else {
        lifecycle.terminate(c, CloseCodes.POLICY_VIOLATION, "rate limit exceeded", true);
      }
      return;
    }
    M decoded;
    try {
      decoded = codec.decode(message);
    } catch (MessageDecodingException e) {
      decodeFailed(c, e);
      return;
    } catch (RuntimeException e) {
      decodeFailed(c, new MessageDecodingException("message could not be decoded", e));
      return;
    }
    if (handlers.isInstalled()) {
      HubHandler<M> h = handlers.handler();
      handlers.dispatch(
          c, () -> h.onMessage(handlers.hub(), c, decoded), "onMessage", lifecycle::close);
    } else if (policy == BroadcastPolicy.ALL) {
      relay(Target.all(), message);
    } else if (policy == BroadcastPolicy.ALL_EXCEPT_SENDER) {
      relay(Target.allExcept(c.id()), message);
    }
  }

  /** Relays a client's message by the policy; a shutdown racing it drops the message quietly. */
  private void relay(Target target, Message message) {
    if (lifecycle.isShutdown()) {
      return;
    }
    try {
      sender.broadcastMessage(target, message); // after a shutdown: delivers nothing
    } catch (RuntimeException e) {
      log.warn("hub {}: relaying a message failed", nodeId, e);
    }
  }

  private void decodeFailed(DefaultClient c, MessageDecodingException e) {
    counters.decodeErrors.increment();
    if (handlers.isInstalled()) {
      warnOnce(c, "undecodable message (handed to onDecodeError)");
      HubHandler<M> h = handlers.handler();
      handlers.dispatch(
          c, () -> h.onDecodeError(handlers.hub(), c, e), "onDecodeError", lifecycle::close);
    } else {
      warnOnce(c, "undecodable message; closing with " + e.closeCode());
      lifecycle.terminate(c, e.closeCode(), e.getMessage(), true);
    }
  }

  /** Bad input is logged at WARN once per connection, then at DEBUG: never a flood. */
  private void warnOnce(DefaultClient c, String what) {
    if (!c.warnedBadInput) {
      c.warnedBadInput = true;
      log.warn("hub {}: connection {}: {}", nodeId, c.id(), what);
    } else {
      log.debug("hub {}: connection {}: {}", nodeId, c.id(), what);
    }
  }
}

package dev.hubcast.jetty.internal;

import dev.hubcast.core.Message;
import java.nio.ByteBuffer;
import java.util.function.Function;

/**
 * The payload every Jetty connection sends for a hub {@link Message}: one buffer per message,
 * cached on it ({@link Message#wireForm}) and shared read-only by all recipients, each of which
 * sends its own {@link ByteBuffer#slice() slice} (its own position over the same bytes). So a
 * broadcast is neither copied nor encoded per recipient.
 *
 * <p>Stateless; thread-safe.
 */
final class WirePayloads {

  /** The key of the cached payload on a {@link Message}. */
  static final Message.WireKey<ByteBuffer> PAYLOAD = Message.WireKey.of("hub-jetty payload");

  /**
   * Payloads from this size up are copied once per message into a direct buffer. A heap buffer is
   * copied by the JDK into a temporary direct buffer on every socket write, so once per recipient
   * (and again on every partial write); a direct buffer is written as it is, whatever the number of
   * recipients. Below this size that copy costs less than allocating direct memory.
   */
  static final int DIRECT_THRESHOLD = 8 * 1024;

  private static final Function<Message, ByteBuffer> BUILD = WirePayloads::build;

  private WirePayloads() {}

  /** The shared payload of {@code message}, built on its first send. */
  static ByteBuffer of(Message message) {
    return message.wireForm(PAYLOAD, BUILD);
  }

  /** Builds a shared payload: a read-only view of the message's bytes, or one direct copy. */
  static ByteBuffer build(Message message) {
    ByteBuffer payload = message.payload();
    if (message.length() < DIRECT_THRESHOLD) {
      return payload;
    }
    ByteBuffer direct = ByteBuffer.allocateDirect(message.length());
    direct.put(payload).flip();
    return direct.asReadOnlyBuffer();
  }
}

package dev.hubcast.core;

import static java.util.Objects.requireNonNull;

/**
 * Turns application messages into {@link Message}s and back.
 *
 * <p>Implementations must be thread-safe: {@link #encode} runs on whichever thread broadcasts,
 * {@link #decode} on the transport's I/O threads. A broadcast calls {@code encode} once, whatever
 * the number of recipients.
 *
 * <p>{@code decode} reports bad input by throwing {@link MessageDecodingException} (or any runtime
 * exception, taken as close code 1007). The hub hands it to the application's {@link
 * HubHandler#onDecodeError} and, by default, closes that connection with the exception's close
 * code; it never reaches the transport.
 *
 * <p>{@code encode} may throw an unchecked exception too (a JSON library's checked exception
 * wrapped, say, in {@link java.io.UncheckedIOException}): the broadcast or send that called it
 * throws it to its caller before anything is queued, so no recipient gets a part of it.
 *
 * <h2>Different types in and out</h2>
 *
 * <p>One codec serves both directions, so {@code M} is the type of both what clients send and what
 * the hub sends. When the two differ, make {@code M} a sealed interface over both and let each
 * direction use its own records; the handler matches on what it receives:
 *
 * <pre>{@code
 * sealed interface Wire permits Say, Said {}
 * record Say(String text) implements Wire {}                 // client -> hub
 * record Said(String from, String text) implements Wire {}   // hub -> clients
 *
 * class WireCodec implements MessageCodec<Wire> {
 *   public Message encode(Wire m) {
 *     if (!(m instanceof Said said)) throw new IllegalArgumentException("not outbound: " + m);
 *     return Message.text(said.from() + ": " + said.text());
 *   }
 *   public Wire decode(Message m) {
 *     return new Say(m.text());
 *   }
 * }
 *
 * public void onMessage(Hub<Wire> hub, Client from, Wire m) {
 *   if (m instanceof Say say) hub.broadcast(Target.all(), new Said(from.id(), say.text()));
 * }
 * }</pre>
 *
 * @param <M> the application's message type
 */
public interface MessageCodec<M> {

  /** Encodes a message. Called once per broadcast. */
  Message encode(M message);

  /**
   * Decodes a client's message.
   *
   * @throws MessageDecodingException if the frame is not a valid message
   */
  M decode(Message frame);

  /**
   * UTF-8 text: strings become text frames; text frames become strings. A binary frame is refused
   * with close code 1003 and text that is not UTF-8 with 1007.
   */
  static MessageCodec<String> text() {
    return TextCodec.INSTANCE;
  }

  /**
   * Raw bytes: arrays become binary frames; any frame becomes its payload bytes (UTF-8 for text).
   */
  static MessageCodec<byte[]> bytes() {
    return BytesCodec.INSTANCE;
  }

  /** Frames as they are: no encoding, no decoding. */
  static MessageCodec<Message> identity() {
    return FrameCodec.INSTANCE;
  }
}

enum TextCodec implements MessageCodec<String> {
  INSTANCE;

  @Override
  public Message encode(String message) {
    return Message.text(requireNonNull(message, "message"));
  }

  @Override
  public String decode(Message frame) {
    if (!frame.isText()) {
      throw new MessageDecodingException(
          CloseCodes.UNSUPPORTED_DATA, "binary messages are not accepted", null);
    }
    return frame.text();
  }

  @Override
  public String toString() {
    return "MessageCodec.text()";
  }
}

enum BytesCodec implements MessageCodec<byte[]> {
  INSTANCE;

  @Override
  public Message encode(byte[] message) {
    return Message.binary(requireNonNull(message, "message"));
  }

  @Override
  public byte[] decode(Message frame) {
    return frame.toByteArray();
  }

  @Override
  public String toString() {
    return "MessageCodec.bytes()";
  }
}

enum FrameCodec implements MessageCodec<Message> {
  INSTANCE;

  @Override
  public Message encode(Message message) {
    return requireNonNull(message, "message");
  }

  @Override
  public Message decode(Message frame) {
    return frame;
  }

  @Override
  public String toString() {
    return "MessageCodec.identity()";
  }
}

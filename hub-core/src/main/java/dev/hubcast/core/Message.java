package dev.hubcast.core;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;

/**
 * One encoded WebSocket message: text (UTF-8) or binary, with immutable bytes.
 *
 * <p>Thread-safe and immutable. A broadcast encodes its message <em>once</em> into a frame and
 * every recipient shares that one instance. A transport adapter may cache its own wire form of the
 * frame (a framed buffer, a read-only {@link ByteBuffer}) with {@link #wireForm(WireKey,
 * Function)}, so that nothing is copied or encoded per recipient.
 *
 * <pre>{@code
 * Message hello = Message.text("hello");
 * ByteBuffer bytes = hello.payload();   // read-only view, no copy
 * }</pre>
 */
public final class Message {

  /** The kind of a message: text or binary. Immutable. */
  public enum Type {
    /** A text message; its payload is UTF-8. */
    TEXT,
    /** A binary message. */
    BINARY
  }

  private static final byte[] EMPTY = new byte[0];
  private static final Object[] NO_WIRE_FORMS = new Object[0];

  private final Type type;
  private final byte[] bytes;
  // Text decoded lazily (inbound frames built from bytes); a benign race may decode twice.
  private volatile String text;
  // Adapter wire forms: [key0, value0, key1, value1, ...], replaced copy-on-write.
  private volatile Object[] wireForms = NO_WIRE_FORMS;
  private final RoomMark mark; // null: not a room broadcast's frame

  private Message(Type type, byte[] bytes, String text) {
    this(type, bytes, text, null);
  }

  private Message(Type type, byte[] bytes, String text, RoomMark mark) {
    this.type = type;
    this.bytes = bytes;
    this.text = text;
    this.mark = mark;
  }

  /**
   * A text frame. The string is encoded to UTF-8 once, here; an unpaired surrogate, which has no
   * UTF-8 form, becomes {@code '?'} as in {@link String#getBytes(java.nio.charset.Charset)}.
   */
  public static Message text(String text) {
    requireNonNull(text, "text");
    return new Message(Type.TEXT, text.getBytes(StandardCharsets.UTF_8), text);
  }

  /**
   * A text frame from UTF-8 bytes, copied. The bytes are validated lazily: {@link #text()} throws
   * {@link MessageDecodingException} (close code 1007) if they are not UTF-8.
   */
  public static Message textUtf8(byte[] utf8) {
    requireNonNull(utf8, "utf8");
    return new Message(Type.TEXT, utf8.length == 0 ? EMPTY : utf8.clone(), null);
  }

  /** A text frame from the remaining UTF-8 bytes of a buffer, copied; see {@link #textUtf8}. */
  public static Message textUtf8(ByteBuffer utf8) {
    return new Message(Type.TEXT, copy(utf8, "utf8"), null);
  }

  /** A binary frame; the bytes are copied. */
  public static Message binary(byte[] data) {
    requireNonNull(data, "data");
    return new Message(Type.BINARY, data.length == 0 ? EMPTY : data.clone(), null);
  }

  /** A binary frame from the remaining bytes of a buffer, copied; the buffer is not moved. */
  public static Message binary(ByteBuffer data) {
    return new Message(Type.BINARY, copy(data, "data"), null);
  }

  private static byte[] copy(ByteBuffer buffer, String name) {
    requireNonNull(buffer, name);
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }

  /** The kind of this frame. */
  public Type type() {
    return type;
  }

  /** Whether this is a text frame. */
  public boolean isText() {
    return type == Type.TEXT;
  }

  /** The payload length in bytes (UTF-8 bytes for text). */
  public int length() {
    return bytes.length;
  }

  /** A read-only view of the payload; each call returns a new view positioned at 0. */
  public ByteBuffer payload() {
    return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
  }

  /** A copy of the payload. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /** Copies the payload into {@code target} at its position, advancing it. */
  public void copyTo(ByteBuffer target) {
    target.put(bytes);
  }

  /**
   * The text of a text frame, decoded strictly from UTF-8 (and cached).
   *
   * @throws IllegalStateException if this is a binary frame
   * @throws MessageDecodingException with close code 1007 if the payload is not UTF-8
   */
  public String text() {
    if (type != Type.TEXT) {
      throw new IllegalStateException("binary frame has no text");
    }
    String t = text;
    if (t == null) {
      try {
        t =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
      } catch (CharacterCodingException e) {
        throw new MessageDecodingException(
            CloseCodes.INVALID_PAYLOAD, "text message is not valid UTF-8", e);
      }
      text = t;
    }
    return t;
  }

  /**
   * Where this frame stands in its room, when it is a room broadcast's: the hub stamps the frames
   * of room broadcasts (live, replayed and from other nodes) with their room and position, and a
   * resume answer with the position it brings the client to. Empty for every other frame. A
   * transport may pass it on as a resume id (see {@link RoomMark}).
   */
  public Optional<RoomMark> mark() {
    return Optional.ofNullable(mark);
  }

  /**
   * This frame with {@code mark}: the same type and bytes (shared, not copied), stamped with a room
   * position. Wire forms are not carried over. The hub calls it; applications need not.
   */
  public Message withMark(RoomMark mark) {
    requireNonNull(mark, "mark");
    if (mark.equals(this.mark)) {
      return this;
    }
    return new Message(type, bytes, text, mark);
  }

  /**
   * Returns this frame's wire form for one adapter, computing it on first use. Several threads may
   * race to compute it; one result wins and is returned to all of them from then on.
   *
   * <p>The factory must be cheap and side-effect free apart from building the value (a losing
   * result is simply dropped), and the value must be safe to share between connections (for example
   * a read-only buffer each recipient {@code duplicate()}s).
   */
  @SuppressWarnings("unchecked")
  public <T> T wireForm(WireKey<T> key, Function<? super Message, ? extends T> factory) {
    requireNonNull(key, "key");
    Object[] forms = wireForms;
    for (int i = 0; i < forms.length; i += 2) {
      if (forms[i] == key) {
        return (T) forms[i + 1];
      }
    }
    T value = requireNonNull(factory.apply(this), "wire form");
    synchronized (this) {
      forms = wireForms;
      for (int i = 0; i < forms.length; i += 2) {
        if (forms[i] == key) {
          return (T) forms[i + 1];
        }
      }
      Object[] grown = Arrays.copyOf(forms, forms.length + 2);
      grown[forms.length] = key;
      grown[forms.length + 1] = value;
      wireForms = grown;
    }
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Message
        && ((Message) o).type == type
        && Arrays.equals(((Message) o).bytes, bytes);
  }

  @Override
  public int hashCode() {
    return 31 * type.hashCode() + Arrays.hashCode(bytes);
  }

  /** Shows the type and length, never the payload (payloads stay out of logs). */
  @Override
  public String toString() {
    return "Message[" + type + ", " + bytes.length + " bytes]";
  }

  /**
   * Identifies one adapter's cached wire form on a {@link Message}. Create one per adapter as a
   * constant; keys are compared by identity.
   *
   * <p>Thread-safe and immutable.
   *
   * @param <T> the type of the cached wire form
   */
  public static final class WireKey<T> {
    private final String name;

    private WireKey(String name) {
      this.name = name;
    }

    /** A new key; {@code name} only serves {@link #toString()}. */
    public static <T> WireKey<T> of(String name) {
      return new WireKey<>(requireNonNull(name, "name"));
    }

    @Override
    public String toString() {
      return "WireKey[" + name + "]";
    }
  }
}

package dev.hubcast.jakarta.internal;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Message;
import dev.hubcast.core.spi.Utf8Validator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a client's WebSocket frames (RFC 6455, section 5) from the bytes of an upgraded connection,
 * and joins data frames into messages. Every rule a server must check is checked as early as the
 * bytes allow: a frame whose header makes the message pass {@code maxMessageBytes} is refused
 * (1009) before its payload is read, text that is not UTF-8 (1007) at the byte that breaks it, and
 * everything else the RFC forbids from a client (1002): reserved bits (no extension is negotiated),
 * unknown opcodes, unmasked frames, fragmented or long control frames, a continuation with no
 * message to continue, a data frame inside a fragmented message, a 64-bit length with its high bit
 * set, a close frame of one byte or with a code a peer may not send. After the peer's close, or a
 * protocol error (1002: the bytes after it cannot be trusted), it reads nothing more. After 1009 or
 * 1007 it reads on, dropping data, so that the peer's answer to the close is still seen.
 *
 * <p>Not thread-safe: confined to the thread that reads the connection (the container calls a
 * {@code ReadListener} one call at a time).
 */
final class FrameReader {

  /** What the reader found. Called on the reading thread, inside {@link #feed}. */
  interface Handler {
    /** A whole data message. */
    void onMessage(Message message);

    /** A ping, with its payload (at most 125 bytes). */
    void onPing(byte[] payload);

    /** A pong. */
    void onPong();

    /** The peer's close: its code (1005 when it gave none) and reason. Nothing is read after. */
    void onClose(int code, String reason);

    /**
     * An error, to close the connection with: 1002, 1007 or 1009. Called once; after 1007 or 1009
     * only {@link #onClose} may follow, after 1002 nothing.
     */
    void onError(int code, String reason);
  }

  private static final int OP_CONTINUATION = 0x0;
  private static final int OP_TEXT = 0x1;
  private static final int OP_BINARY = 0x2;
  private static final int OP_CLOSE = 0x8;
  private static final int OP_PING = 0x9;
  private static final int OP_PONG = 0xA;

  /** A gathered message buffer larger than this is not kept for the next message. */
  private static final int RETAINED_BUFFER_BYTES = 64 * 1024;

  private enum Stage {
    HEADER,
    PAYLOAD,
    DONE
  }

  private final int maxMessageBytes;
  private final Handler handler;
  private final Utf8Validator utf8 = new Utf8Validator();

  private Stage stage = Stage.HEADER;
  private final byte[] header = new byte[14];
  private int headerHave;

  // The frame being read.
  private boolean fin;
  private int opcode;
  private final byte[] mask = new byte[4];
  private long payloadLength;
  private long payloadRead;

  // The data message being gathered (over one or more frames).
  private boolean inMessage;
  private boolean messageIsText;
  private byte[] message = new byte[0];
  private int messageLength;

  // After 1009 or 1007: data frames are skipped, control frames still read.
  private boolean dropping;

  // A control frame's payload.
  private final byte[] control = new byte[125];

  FrameReader(int maxMessageBytes, Handler handler) {
    this.maxMessageBytes = maxMessageBytes;
    this.handler = handler;
  }

  /** Whether the reader has stopped: after the peer's close or an error, bytes are dropped. */
  boolean isDone() {
    return stage == Stage.DONE;
  }

  /** Reads {@code length} bytes of {@code bytes} from {@code offset}. */
  void feed(byte[] bytes, int offset, int length) {
    int at = offset;
    int end = offset + length;
    while (at < end && stage != Stage.DONE) {
      if (stage == Stage.HEADER) {
        at = readHeader(bytes, at, end);
      } else {
        at = readPayload(bytes, at, end);
      }
    }
  }

  private int readHeader(byte[] bytes, int at, int end) {
    // Byte by byte into the header until its length is known and reached: headers are 2-14 bytes.
    while (at < end) {
      header[headerHave++] = bytes[at++];
      if (headerHave == 2 && !firstTwoBytesAllowed()) {
        return at; // failed: nothing more is read
      }
      int needed = headerLength();
      if (needed > 0 && headerHave == needed) {
        headerHave = 0;
        startFrame();
        return at;
      }
    }
    return at;
  }

  /**
   * The checks the first two bytes allow, made before the rest of the header arrives (an unmasked
   * frame's header is shorter than a masked one's: waiting for a key would wait for nothing).
   */
  private boolean firstTwoBytesAllowed() {
    if ((header[0] & 0x70) != 0) {
      headerHave = 0;
      fail(CloseCodes.PROTOCOL_ERROR, "reserved bits set (no extension was negotiated)");
      return false;
    }
    if ((header[1] & 0x80) == 0) {
      headerHave = 0;
      fail(CloseCodes.PROTOCOL_ERROR, "unmasked frame from a client");
      return false;
    }
    return true;
  }

  /** The header's length once its second byte is in, else 0. */
  private int headerLength() {
    if (headerHave < 2) {
      return 0;
    }
    int len7 = header[1] & 0x7F;
    int extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    return 2 + extended + 4; // a client's frames are masked: the header ends with the key
  }

  private void startFrame() {
    int b0 = header[0] & 0xFF;
    int b1 = header[1] & 0xFF;
    fin = (b0 & 0x80) != 0;
    opcode = b0 & 0x0F; // reserved bits and the mask bit were checked at the second byte
    int len7 = b1 & 0x7F;
    int at = 2;
    if (len7 == 126) {
      payloadLength = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
      at = 4;
    } else if (len7 == 127) {
      payloadLength = ByteBuffer.wrap(header, 2, 8).getLong();
      at = 10;
      if (payloadLength < 0) {
        fail(CloseCodes.PROTOCOL_ERROR, "frame length over 2^63");
        return;
      }
    } else {
      payloadLength = len7;
    }
    System.arraycopy(header, at, mask, 0, 4);
    payloadRead = 0;

    if (dropping && opcode < OP_CLOSE) {
      stage = Stage.PAYLOAD; // skipped
      if (payloadLength == 0) {
        stage = Stage.HEADER;
      }
      return;
    }
    switch (opcode) {
      case OP_CLOSE, OP_PING, OP_PONG -> {
        if (!fin) {
          fail(CloseCodes.PROTOCOL_ERROR, "fragmented control frame");
          return;
        }
        if (payloadLength > 125) {
          fail(CloseCodes.PROTOCOL_ERROR, "control frame over 125 bytes");
          return;
        }
      }
      case OP_TEXT, OP_BINARY -> {
        if (inMessage) {
          fail(CloseCodes.PROTOCOL_ERROR, "new message inside a fragmented one");
          return;
        }
        inMessage = true;
        messageIsText = opcode == OP_TEXT;
        messageLength = 0;
        utf8.reset();
        if (!admit()) {
          return;
        }
      }
      case OP_CONTINUATION -> {
        if (!inMessage) {
          fail(CloseCodes.PROTOCOL_ERROR, "continuation frame with no message to continue");
          return;
        }
        if (!admit()) {
          return;
        }
      }
      default -> {
        fail(CloseCodes.PROTOCOL_ERROR, "unknown opcode " + opcode);
        return;
      }
    }
    stage = Stage.PAYLOAD;
    if (payloadLength == 0) {
      endFrame();
    }
  }

  /** A data frame's length against the limit, from its header (room is made as bytes come). */
  private boolean admit() {
    if (payloadLength > maxMessageBytes - messageLength) { // no overflow: both are within int
      fail(CloseCodes.MESSAGE_TOO_BIG, CloseCodes.tooBigReason(maxMessageBytes));
      return false;
    }
    return true;
  }

  /** Room in the message buffer for {@code needed} bytes, grown as they arrive, not declared. */
  private void ensureRoom(int needed) {
    if (message.length < needed) {
      int grown = Math.max(needed, (int) Math.min(maxMessageBytes, message.length * 2L));
      message = Arrays.copyOf(message, grown);
    }
  }

  private int readPayload(byte[] bytes, int at, int end) {
    int n = (int) Math.min(end - at, payloadLength - payloadRead);
    boolean isControl = opcode >= OP_CLOSE;
    if (dropping && !isControl) {
      payloadRead += n;
      if (payloadRead == payloadLength) {
        stage = Stage.HEADER;
      }
      return at + n;
    }
    int base = isControl ? (int) payloadRead : messageLength + (int) payloadRead;
    if (!isControl) {
      ensureRoom(base + n);
    }
    byte[] into = isControl ? control : message;
    int maskAt = (int) (payloadRead & 3);
    for (int i = 0; i < n; i++) {
      into[base + i] = (byte) (bytes[at + i] ^ mask[(maskAt + i) & 3]);
    }
    if (!isControl && messageIsText && !utf8.feed(ByteBuffer.wrap(into, base, n))) {
      payloadRead += n;
      fail(CloseCodes.INVALID_PAYLOAD, "text is not UTF-8"); // skips the rest of the frame
      return at + n;
    }
    payloadRead += n;
    if (payloadRead == payloadLength) {
      endFrame();
    }
    return at + n;
  }

  private void endFrame() {
    stage = Stage.HEADER;
    int length = (int) payloadLength;
    switch (opcode) {
      case OP_PING -> {
        if (!dropping) {
          handler.onPing(Arrays.copyOf(control, length));
        }
      }
      case OP_PONG -> {
        if (!dropping) {
          handler.onPong();
        }
      }
      case OP_CLOSE -> readClose(length);
      default -> {
        messageLength += length;
        if (fin) {
          endMessage();
        }
      }
    }
  }

  private void endMessage() {
    inMessage = false;
    if (messageIsText && !utf8.isComplete()) {
      fail(CloseCodes.INVALID_PAYLOAD, "text is not UTF-8 (ends inside a character)");
      return;
    }
    // Message copies the bytes: the buffer is kept for the next message, up to a size.
    ByteBuffer whole = ByteBuffer.wrap(message, 0, messageLength);
    Message m = messageIsText ? Message.textUtf8(whole) : Message.binary(whole);
    messageLength = 0;
    if (message.length > RETAINED_BUFFER_BYTES) {
      message = new byte[0];
    }
    handler.onMessage(m);
  }

  private void readClose(int length) {
    stage = Stage.DONE;
    if (length == 0) {
      handler.onClose(CloseCodes.NO_STATUS, "");
      return;
    }
    if (length == 1) {
      closeError(CloseCodes.PROTOCOL_ERROR, "close frame of one byte");
      return;
    }
    int code = ((control[0] & 0xFF) << 8) | (control[1] & 0xFF);
    if (!CloseCodes.isValidFromPeer(code)) {
      closeError(CloseCodes.PROTOCOL_ERROR, "close code " + code + " may not be sent");
      return;
    }
    Utf8Validator reason = new Utf8Validator();
    if (!reason.feed(ByteBuffer.wrap(control, 2, length - 2)) || !reason.isComplete()) {
      closeError(CloseCodes.INVALID_PAYLOAD, "close reason is not UTF-8");
      return;
    }
    handler.onClose(code, new String(control, 2, length - 2, StandardCharsets.UTF_8));
  }

  /**
   * The first error: 1002 stops reading; 1009 and 1007 skip the rest of the frame (1009 is found
   * from the header, so its whole payload) and drop data from then on.
   */
  private void fail(int code, String reason) {
    boolean first = !dropping;
    message = new byte[0];
    inMessage = false;
    if (!first || code == CloseCodes.PROTOCOL_ERROR) {
      stage = Stage.DONE;
    } else {
      dropping = true;
      stage = payloadRead == payloadLength ? Stage.HEADER : Stage.PAYLOAD;
    }
    if (first) {
      handler.onError(code, reason);
    }
  }

  /** A close frame that breaks the rules: nothing more is read; reported unless one was. */
  private void closeError(int code, String reason) {
    stage = Stage.DONE;
    if (!dropping) {
      handler.onError(code, reason);
    }
  }
}

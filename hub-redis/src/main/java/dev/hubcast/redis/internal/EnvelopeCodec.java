package dev.hubcast.redis.internal;

import dev.hubcast.core.Message;
import dev.hubcast.core.Target;
import dev.hubcast.core.backplane.Envelope;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The wire form of an {@link Envelope} on the Redis channel and in a room's history stream: a small
 * binary record, so that a broadcast's payload crosses as it is, without escaping.
 *
 * <pre>
 * 'H' 'C' version(1: 2)
 * origin(str) sequence(i64) roomSequence(i64) timestampMillis(i64) roomEpoch(str)
 * targetKind(u8) [name(str)] [connectionId(str)]
 * frameType(u8: 0 text, 1 binary) payloadLength(i32) payload
 * str = length(u16) UTF-8 bytes
 * </pre>
 *
 * <p>A room broadcast numbered by the history store's script has a second, <em>numbered</em> form:
 * the script cannot rewrite the binary record, so it puts the number and the epoch in front of the
 * record the node sent (whose {@code roomSequence} is -1 and {@code roomEpoch} empty), in ASCII:
 *
 * <pre>
 * 'H' 'N' seq(decimal digits) ' ' epoch '\n' envelope
 * </pre>
 *
 * <p>{@link #decode} reads both forms and answers the numbered one as the envelope with its {@code
 * roomSequence} and {@code roomEpoch} filled in.
 *
 * <p>Stateless and thread-safe.
 */
public final class EnvelopeCodec {
  /** The format written; readers refuse any other (version 1 had no room epochs). */
  public static final int VERSION = 2;

  /** The most digits of a number in the numbered form (a positive {@code long}). */
  private static final int MAX_DIGITS = 19;

  /** The most characters of an epoch ({@link dev.hubcast.core.RoomPosition}). */
  private static final int MAX_EPOCH = 64;

  private static final byte ALL = 0;
  private static final byte ALL_EXCEPT = 1;
  private static final byte ROOM = 2;
  private static final byte ROOM_EXCEPT = 3;
  private static final byte USER = 4;
  private static final byte CONNECTION = 5;
  private static final byte CONNECTIONS = 6; // ids joined by ',' (ids never hold one)

  private EnvelopeCodec() {}

  /** Encodes an envelope. */
  public static byte[] encode(Envelope e) {
    byte[] origin = utf8(e.originNode());
    byte[] epoch = utf8(e.roomEpoch());
    String[] fields = fields(e.target());
    byte[][] encodedFields = new byte[fields.length][];
    int size = 3 + 2 + origin.length + 24 + 2 + epoch.length + 1 + 1 + 4 + e.message().length();
    for (int i = 0; i < fields.length; i++) {
      encodedFields[i] = utf8(fields[i]);
      size += 2 + encodedFields[i].length;
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put((byte) 'H').put((byte) 'C').put((byte) VERSION);
    putString(b, origin);
    b.putLong(e.sequence()).putLong(e.roomSequence()).putLong(e.timestampMillis());
    putString(b, epoch);
    b.put(kind(e.target()));
    for (byte[] f : encodedFields) {
      putString(b, f);
    }
    b.put(e.message().isText() ? (byte) 0 : (byte) 1);
    b.putInt(e.message().length());
    e.message().copyTo(b);
    return b.array();
  }

  /**
   * Decodes an envelope, in its plain or its numbered form.
   *
   * @throws IllegalArgumentException naming what is wrong, for anything but a well-formed envelope
   *     of this version
   */
  public static Envelope decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (bytes.length >= 2 && bytes[0] == 'H' && bytes[1] == 'N') {
      b.position(2);
      long seq = number(b);
      String epoch = epoch(b);
      Envelope e = plain(b);
      if (e.roomSequence() != -1 || !e.roomEpoch().isEmpty()) {
        throw new IllegalArgumentException(
            "numbered envelope already numbered: " + e.roomEpoch() + ":" + e.roomSequence());
      }
      return e.numbered(seq, epoch);
    }
    return plain(b);
  }

  /** The decimal number of a numbered form, up to its ' '. */
  private static long number(ByteBuffer b) {
    long n = 0;
    int digits = 0;
    while (true) {
      if (!b.hasRemaining()) {
        throw new IllegalArgumentException("truncated envelope number");
      }
      byte c = b.get();
      if (c == ' ' && digits > 0) {
        break;
      }
      if (c < '0' || c > '9' || digits == MAX_DIGITS) {
        throw new IllegalArgumentException("envelope number: not 1-19 digits and a space");
      }
      if (n > (Long.MAX_VALUE - (c - '0')) / 10) {
        throw new IllegalArgumentException("envelope number: above " + Long.MAX_VALUE);
      }
      n = n * 10 + (c - '0');
      digits++;
    }
    if (n < 1) {
      throw new IllegalArgumentException("envelope number: " + n + " (expected: >= 1)");
    }
    return n;
  }

  /** The epoch of a numbered form, up to its '\n'. */
  private static String epoch(ByteBuffer b) {
    int start = b.position();
    while (true) {
      if (!b.hasRemaining()) {
        throw new IllegalArgumentException("truncated envelope epoch");
      }
      byte c = b.get();
      if (c == '\n') {
        break;
      }
      boolean allowed =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-'
              || c == '.';
      if (!allowed || b.position() - start > MAX_EPOCH) {
        throw new IllegalArgumentException(
            "envelope epoch: not 1-64 letters, digits, '_', '-' or '.' and a newline");
      }
    }
    int length = b.position() - 1 - start;
    if (length == 0) {
      throw new IllegalArgumentException("envelope epoch: empty");
    }
    return new String(b.array(), start, length, StandardCharsets.US_ASCII);
  }

  private static Envelope plain(ByteBuffer b) {
    try {
      if (b.remaining() < 3 || b.get() != 'H' || b.get() != 'C') {
        throw new IllegalArgumentException("not a hubcast envelope");
      }
      int version = b.get() & 0xFF;
      if (version != VERSION) {
        throw new IllegalArgumentException(
            "envelope version: "
                + version
                + " (expected: "
                + VERSION
                + (version == 1 ? "; version 1 is from a node without room epochs)" : ")"));
      }
      String origin = getString(b);
      long sequence = b.getLong();
      long roomSequence = b.getLong();
      long timestamp = b.getLong();
      String epoch = getString(b);
      Target target = target(b);
      int type = b.get();
      int length = b.getInt();
      if (type != 0 && type != 1) {
        throw new IllegalArgumentException("frame type: " + type + " (expected: 0 or 1)");
      }
      if (length < 0 || length != b.remaining()) {
        throw new IllegalArgumentException(
            "payload length: " + length + " (expected: " + b.remaining() + ")");
      }
      Message frame = type == 0 ? Message.textUtf8(b) : Message.binary(b);
      return new Envelope(origin, sequence, target, frame, roomSequence, epoch, timestamp);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated envelope", e);
    } catch (NullPointerException e) {
      throw new IllegalArgumentException("incomplete envelope", e);
    }
  }

  private static Target target(ByteBuffer b) {
    byte kind = b.get();
    return switch (kind) {
      case ALL -> Target.all();
      case ALL_EXCEPT -> Target.allExcept(getString(b));
      case ROOM -> Target.room(getString(b));
      case ROOM_EXCEPT -> Target.roomExcept(getString(b), getString(b));
      case USER -> Target.user(getString(b));
      case CONNECTION -> Target.connection(getString(b));
      case CONNECTIONS -> Target.connections(List.of(getString(b).split(",")));
      default -> throw new IllegalArgumentException("target kind: " + kind + " (expected: 0-6)");
    };
  }

  private static byte kind(Target t) {
    if (t instanceof Target.All) {
      return ALL;
    } else if (t instanceof Target.AllExcept) {
      return ALL_EXCEPT;
    } else if (t instanceof Target.Room) {
      return ROOM;
    } else if (t instanceof Target.RoomExcept) {
      return ROOM_EXCEPT;
    } else if (t instanceof Target.User) {
      return USER;
    } else if (t instanceof Target.Connections) {
      return CONNECTIONS;
    }
    return CONNECTION;
  }

  private static String[] fields(Target t) {
    if (t instanceof Target.AllExcept a) {
      return new String[] {a.connectionId()};
    } else if (t instanceof Target.Room r) {
      return new String[] {r.name()};
    } else if (t instanceof Target.RoomExcept r) {
      return new String[] {r.name(), r.connectionId()};
    } else if (t instanceof Target.User u) {
      return new String[] {u.name()};
    } else if (t instanceof Target.Connection c) {
      return new String[] {c.connectionId()};
    } else if (t instanceof Target.Connections c) {
      return new String[] {String.join(",", c.connectionIds())};
    }
    return new String[0];
  }

  private static byte[] utf8(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > 0xFFFF) {
      throw new IllegalArgumentException("string of " + b.length + " bytes (expected: <= 65535)");
    }
    return b;
  }

  private static void putString(ByteBuffer b, byte[] s) {
    b.putShort((short) s.length).put(s);
  }

  private static String getString(ByteBuffer b) {
    int length = b.getShort() & 0xFFFF;
    if (length > b.remaining()) {
      throw new IllegalArgumentException("string length: " + length + " past the end");
    }
    byte[] s = new byte[length];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }
}

package dev.hubcast.core.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The presence signals nodes exchange over the backplane, in a small binary form (version byte,
 * kind, origin node, the origin's presence sequence, then the kind's body; strings in modified
 * UTF-8). {@link #decode} checks what it reads: a signal comes from the network. Stateless and
 * thread-safe.
 */
final class PresenceSignals {
  static final byte VERSION = 1;

  /** What a signal says. */
  enum Kind {
    /** One entry came or went: {@code changes} holds it. */
    CHANGE,
    /** The origin is alive, at {@code seq}. */
    HEARTBEAT,
    /** The origin asks {@code target} for its whole state. */
    SYNC_REQUEST,
    /** The origin's whole state, at {@code seq}, in {@code changes} (all added). */
    STATE,
    /** The origin stops: forget its entries. */
    BYE
  }

  /** One entry of a node in a room. */
  record Change(boolean added, String room, String user, String connectionId, String data) {}

  /** A decoded signal. */
  record Signal(Kind kind, String origin, long seq, String target, List<Change> changes) {}

  private static final int MAX_CHANGES = 10_000_000;

  private PresenceSignals() {}

  static byte[] encode(Signal s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 48 * s.changes().size());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeByte(s.kind().ordinal());
      out.writeUTF(s.origin());
      out.writeLong(s.seq());
      out.writeUTF(s.target() == null ? "" : s.target());
      out.writeInt(s.changes().size());
      for (Change c : s.changes()) {
        out.writeBoolean(c.added());
        out.writeUTF(c.room());
        out.writeUTF(c.user());
        out.writeUTF(c.connectionId());
        out.writeUTF(c.data());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  /**
   * Reads a signal.
   *
   * @throws IllegalArgumentException naming what is wrong, for bytes that are no signal of this
   *     version
   */
  static Signal decode(byte[] payload) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
      int version = in.readUnsignedByte();
      if (version != VERSION) {
        throw new IllegalArgumentException(
            "presence signal version " + version + " (expected: " + VERSION + ")");
      }
      int kind = in.readUnsignedByte();
      if (kind >= Kind.values().length) {
        throw new IllegalArgumentException("presence signal kind " + kind);
      }
      String origin = in.readUTF();
      long seq = in.readLong();
      String target = in.readUTF();
      int n = in.readInt();
      // Each change takes at least 9 bytes, so a count beyond what is left is a lie.
      if (n < 0 || n > MAX_CHANGES || n > in.available() / 9) {
        throw new IllegalArgumentException("presence signal with " + n + " changes");
      }
      List<Change> changes = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        changes.add(
            new Change(in.readBoolean(), in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF()));
      }
      if (in.available() > 0) {
        throw new IllegalArgumentException(
            "presence signal with " + in.available() + " bytes left over");
      }
      return new Signal(
          Kind.values()[kind], origin, seq, target.isEmpty() ? null : target, changes);
    } catch (IOException e) {
      throw new IllegalArgumentException("presence signal cut short", e);
    }
  }
}

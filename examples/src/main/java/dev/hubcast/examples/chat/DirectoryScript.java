package dev.hubcast.examples.chat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The Lua scripts of the {@link RedisChatDirectory}, read once from {@code
 * dev/hubcast/examples/chat/redis/}: each is {@code lib.lua} (the helpers they share) followed by
 * its own file. ARGV[1] of every script is the prefix of the chat's keys.
 *
 * <p>Immutable and thread-safe, as enums are.
 */
enum DirectoryScript {
  /** A connection enters, leaves or closes; ARGV: prefix, node, op, id, user, room. */
  MOVE("move.lua"),
  /** The heartbeat; ARGV: prefix, node, ttl; returns whether the liveness key was still there. */
  BEAT("beat.lua"),
  /** A server's connections written again; ARGV: prefix, node, ttl, then id, user, room each. */
  REWRITE("rewrite.lua"),
  /** A server that stops; ARGV: prefix, node. */
  FORGET("forget.lua"),
  /**
   * A private message, published and kept; ARGV: prefix, from, to, the dm's JSON, how many to keep
   * per pair, their time to live (ms); returns 1 if published.
   */
  DM("dm.lua"),
  /** The private messages kept for a user; ARGV: prefix, user; returns them, encoded. */
  DMS("dms.lua"),
  /** The rooms list: with members, or with history; ARGV: prefix; returns them, sorted. */
  ROOMS("rooms.lua");

  private static final String DIR = "redis/";

  /** The script's source, the helpers included. */
  final String source;

  DirectoryScript(String file) {
    this.source = read("lib.lua") + read(file);
  }

  private static String read(String file) {
    try (InputStream in = DirectoryScript.class.getResourceAsStream(DIR + file)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + DIR + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + DIR + file, e);
    }
  }
}

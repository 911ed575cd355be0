package dev.hubcast.redis.internal;

import static java.util.Objects.requireNonNull;

import dev.hubcast.core.RoomPosition;
import dev.hubcast.core.backplane.Envelope;
import dev.hubcast.core.backplane.HistoryStore;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The {@link HistoryStore} of {@code RedisBackplane}: each room's epoch and latest number in a hash
 * ({@code <prefix>:position:<room>}), its broadcasts in a stream ({@code <prefix>:history:<room>},
 * entry IDs {@code <seq>-0}), both written by one Lua script per broadcast ({@code append.lua})
 * that also publishes the numbered broadcast on the channel, and read by another ({@code
 * read.lua}). Thread-safe; nothing blocks: every call is one asynchronous script on the backplane's
 * command connection, and fails at once while there is none.
 *
 * <p>Calls reach Redis in the order they were made, which the hub relies on: it makes a room's
 * calls under the room's lock, and a reservation overtaken by a later one of the same node would be
 * refused and leave its number unused (a resume across it would answer {@code MISSING}). Netty
 * writes a command at once when it is sent from the connection's own I/O thread, ahead of those
 * other threads queued before; so answers are handed to the hub on {@code executor} (one thread, in
 * the order Redis gave them), never on the I/O thread, and whatever the hub sends from its
 * callbacks queues behind what it sent before.
 *
 * <p>Scripts run by their SHA-1 ({@code EVALSHA}); when Redis does not hold one (it restarted, or
 * its script cache was flushed), that call sends the script itself. Calls sent meanwhile may then
 * reach Redis out of order, with the effect above; the backplane loads the scripts on every
 * (re)connect to keep that window short.
 */
public final class RedisHistoryStore implements HistoryStore {

  /** The script that numbers, stores and publishes one broadcast. */
  static final Script APPEND = Script.load("append.lua");

  /** The script that reads a room's position and broadcasts. */
  static final Script READ = Script.load("read.lua");

  private static final byte[] EMPTY = new byte[0];
  private static final byte[] AFTER = ascii("after");
  private static final byte[] LATEST = ascii("latest");

  private final Supplier<StatefulRedisConnection<byte[], byte[]>> connection;
  private final String prefix;
  private final byte[] channel;
  private final boolean keeps;
  private final byte[] size;
  private final byte[] ageMillis;
  private final byte[] streamTtlMillis;
  private final byte[] metaTtlMillis;
  private final Consumer<IllegalArgumentException> badEntry;
  private final Executor executor;

  /**
   * A store on the connection {@code connection} gives (null while there is none).
   *
   * @param prefix the prefix of the keys
   * @param channel the channel the append script publishes on
   * @param size the most broadcasts a room keeps (0: no bound by count)
   * @param ageMillis how long a broadcast is kept (0: no bound by age); with {@code size} 0 too,
   *     the store only numbers
   * @param streamTtlMillis how long a room's stream lives after its last broadcast
   * @param metaTtlMillis how long a room's epoch and number live after its last broadcast (longer)
   * @param badEntry told of each stored entry that cannot be read (and is left out)
   * @param executor where answers are handed on, in order: one thread, not one of Lettuce's I/O
   */
  public RedisHistoryStore(
      Supplier<StatefulRedisConnection<byte[], byte[]>> connection,
      String prefix,
      byte[] channel,
      int size,
      long ageMillis,
      long streamTtlMillis,
      long metaTtlMillis,
      Consumer<IllegalArgumentException> badEntry,
      Executor executor) {
    this.connection = requireNonNull(connection, "connection");
    this.prefix = requireNonNull(prefix, "prefix");
    this.channel = channel.clone();
    this.keeps = size > 0 || ageMillis > 0;
    this.size = ascii(Integer.toString(size));
    this.ageMillis = ascii(Long.toString(ageMillis));
    this.streamTtlMillis = ascii(Long.toString(streamTtlMillis));
    this.metaTtlMillis = ascii(Long.toString(metaTtlMillis));
    this.badEntry = requireNonNull(badEntry, "badEntry");
    this.executor = requireNonNull(executor, "executor");
  }

  /**
   * Loads the scripts into Redis, so that they run by their SHA-1 from the first call on, and waits
   * (at most the command timeout).
   *
   * @throws io.lettuce.core.RedisException if Redis did not take them
   */
  public static void loadScripts(StatefulRedisConnection<byte[], byte[]> c) {
    c.sync().scriptLoad(APPEND.body);
    c.sync().scriptLoad(READ.body);
  }

  /** Loads the scripts into Redis again (it may have restarted empty), without waiting. */
  public static void loadScriptsLater(StatefulRedisConnection<byte[], byte[]> c) {
    try {
      c.async().scriptLoad(APPEND.body);
      c.async().scriptLoad(READ.body);
    } catch (RuntimeException e) {
      // not connected after all: a call sends the script's text when Redis lacks it
    }
  }

  @Override
  public CompletionStage<Appended> append(String room, Envelope envelope, RoomPosition expected) {
    requireNonNull(room, "room");
    requireNonNull(envelope, "envelope");
    Envelope draft =
        envelope.roomSequence() == -1 && envelope.roomEpoch().isEmpty()
            ? envelope
            : envelope.numbered(-1, "");
    byte[][] keys = keys(room);
    byte[][] args = {
      ascii(RoomPosition.newEpoch()),
      expected == null ? EMPTY : ascii(expected.epoch()),
      expected == null ? EMPTY : ascii(Long.toString(expected.seq())),
      EnvelopeCodec.encode(draft),
      size,
      ageMillis,
      streamTtlMillis,
      metaTtlMillis,
      channel
    };
    return run(APPEND, keys, args)
        .thenApply(
            r -> {
              boolean stored = number(r.get(0)) == 1;
              return new Appended(stored, new RoomPosition(text(r.get(1)), number(r.get(2))));
            });
  }

  @Override
  public CompletionStage<StoredRead> read(String room, long afterSequence, int limit) {
    requireNonNull(room, "room");
    long first = Math.max(0, afterSequence) + 1;
    return read(room, AFTER, ascii(Long.toString(first)), limit);
  }

  @Override
  public CompletionStage<StoredRead> latest(String room, int limit) {
    requireNonNull(room, "room");
    return read(room, LATEST, EMPTY, limit);
  }

  private CompletionStage<StoredRead> read(String room, byte[] mode, byte[] first, int limit) {
    byte[][] args = {
      ascii(RoomPosition.newEpoch()),
      mode,
      first,
      ascii(Integer.toString(Math.max(0, limit))),
      ageMillis,
      metaTtlMillis,
      size
    };
    return run(READ, keys(room), args).thenApply(this::storedRead);
  }

  private StoredRead storedRead(List<Object> r) {
    RoomPosition latest = new RoomPosition(text(r.get(0)), number(r.get(1)));
    List<Envelope> entries = new ArrayList<>(r.size() - 2);
    for (int i = 2; i < r.size(); i++) {
      try {
        entries.add(EnvelopeCodec.decode((byte[]) r.get(i)));
      } catch (IllegalArgumentException | ClassCastException e) {
        badEntry.accept(
            e instanceof IllegalArgumentException bad
                ? bad
                : new IllegalArgumentException("history entry is not a byte string", e));
      }
    }
    return new StoredRead(latest, entries);
  }

  @Override
  public boolean publishes() {
    return true;
  }

  @Override
  public boolean keepsHistory() {
    return keeps;
  }

  private byte[][] keys(String room) {
    return new byte[][] {
      (prefix + ":position:" + room).getBytes(StandardCharsets.UTF_8),
      (prefix + ":history:" + room).getBytes(StandardCharsets.UTF_8)
    };
  }

  /** Runs a script by its SHA-1, or by its text when Redis does not hold it. */
  private CompletionStage<List<Object>> run(Script script, byte[][] keys, byte[][] args) {
    StatefulRedisConnection<byte[], byte[]> c = connection.get();
    if (c == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("redis not connected"));
    }
    CompletableFuture<List<Object>> done = new CompletableFuture<>();
    try {
      c.async()
          .<List<Object>>evalsha(script.sha, ScriptOutputType.MULTI, keys, args)
          .whenComplete(
              (r, failure) -> {
                if (failure != null && unwrap(failure) instanceof RedisNoScriptException) {
                  evalText(c, script, keys, args, done); // from the I/O thread: before the rest
                } else {
                  handOn(done, r, failure);
                }
              });
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  private void evalText(
      StatefulRedisConnection<byte[], byte[]> c,
      Script script,
      byte[][] keys,
      byte[][] args,
      CompletableFuture<List<Object>> done) {
    try {
      c.async()
          .<List<Object>>eval(script.body, ScriptOutputType.MULTI, keys, args)
          .whenComplete((r, failure) -> handOn(done, r, failure));
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
  }

  /** Completes {@code done} on the executor (here, if it is shut down). */
  private void handOn(CompletableFuture<List<Object>> done, List<Object> r, Throwable failure) {
    Runnable complete =
        () -> {
          if (failure == null) {
            done.complete(r);
          } else {
            done.completeExceptionally(unwrap(failure));
          }
        };
    try {
      executor.execute(complete);
    } catch (RejectedExecutionException e) {
      complete.run();
    }
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  private static long number(Object o) {
    if (o instanceof Long n) {
      return n;
    }
    throw new IllegalStateException("unexpected script answer: " + o);
  }

  private static String text(Object o) {
    if (o instanceof byte[] b) {
      return new String(b, StandardCharsets.US_ASCII);
    }
    throw new IllegalStateException("unexpected script answer: " + o);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** A Lua script from the backplane's resources and its SHA-1, read once. */
  record Script(String body, String sha) {
    static Script load(String name) {
      String path = "/dev/hubcast/redis/" + name;
      try (InputStream in = RedisHistoryStore.class.getResourceAsStream(path)) {
        if (in == null) {
          throw new IllegalStateException("missing resource " + path);
        }
        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        byte[] sha =
            MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8));
        return new Script(body, HexFormat.of().formatHex(sha));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + path, e);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-1 is missing from this JDK", e);
      }
    }
  }
}

package dev.hubcast.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hubcast.core.Message;
import dev.hubcast.core.RoomPosition;
import dev.hubcast.core.Target;
import dev.hubcast.core.backplane.Envelope;
import dev.hubcast.core.backplane.HistoryStore;
import dev.hubcast.core.backplane.HistoryStore.Appended;
import dev.hubcast.core.backplane.HistoryStore.StoredRead;
import dev.hubcast.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The history store of {@link RedisBackplane}, called directly, against a real redis-server. */
@Timeout(60)
class RedisHistoryStoreTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static RedisServer redis;
  private static RedisClient rawClient;
  private static StatefulRedisConnection<String, String> raw;

  private final List<RedisBackplane> backplanes = new ArrayList<>();
  private final List<Envelope> received = new CopyOnWriteArrayList<>(); // by node "watcher"
  private String prefix;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start();
    rawClient = RedisClient.create(redis.uri());
    raw = rawClient.connect();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    raw.close();
    rawClient.shutdown();
    redis.close();
  }

  @BeforeEach
  void newPrefix() {
    prefix = "s" + PREFIXES.incrementAndGet();
  }

  @AfterEach
  void closeBackplanes() {
    backplanes.forEach(RedisBackplane::close);
  }

  private RedisBackplane started(String nodeId, UnaryOperator<RedisBackplane.Builder> options) {
    RedisBackplane b = options.apply(RedisBackplane.builder(redis.uri()).prefix(prefix)).build();
    backplanes.add(b);
    b.start(nodeId, nodeId.equals("watcher") ? received::add : e -> {});
    return b;
  }

  private static HistoryStore store(RedisBackplane b) {
    return b.historyStore().orElseThrow();
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Envelope draft(String room, String text) {
    return new Envelope("n1", 1, Target.room(room), Message.text(text), -1, "", 1234L);
  }

  private static Appended append(HistoryStore s, String room, String text, RoomPosition expected)
      throws Exception {
    return get(s.append(room, draft(room, text), expected));
  }

  private static List<String> texts(StoredRead read) {
    return read.entries().stream().map(e -> e.message().text()).toList();
  }

  private static List<Long> numbers(StoredRead read) {
    return read.entries().stream().map(Envelope::roomSequence).toList();
  }

  private RedisCommands<String, String> redis() {
    return raw.sync();
  }

  @Test
  void append_numbersFromOne_andReadsAnswerWhatWasStored() throws Exception {
    HistoryStore s = store(started("a", b -> b.history(100)));

    Appended first = append(s, "r", "one", null);
    Appended second = append(s, "r", "two", null);
    Appended third = append(s, "r", "three", null);

    String epoch = first.position().epoch();
    assertThat(epoch).matches("[0-9a-z]{10}");
    assertThat(List.of(first, second, third))
        .containsExactly(
            new Appended(true, new RoomPosition(epoch, 1)),
            new Appended(true, new RoomPosition(epoch, 2)),
            new Appended(true, new RoomPosition(epoch, 3)));
    StoredRead all = get(s.read("r", 0, 10));
    assertThat(all.latest()).isEqualTo(new RoomPosition(epoch, 3));
    assertThat(texts(all)).containsExactly("one", "two", "three");
    assertThat(numbers(all)).containsExactly(1L, 2L, 3L);
    Envelope stored = all.entries().get(0);
    assertThat(stored).isEqualTo(draft("r", "one").numbered(1, epoch));
    assertThat(texts(get(s.read("r", 1, 10)))).containsExactly("two", "three");
    assertThat(texts(get(s.read("r", 1, 1)))).containsExactly("two");
    assertThat(texts(get(s.read("r", 3, 10)))).isEmpty();
    assertThat(texts(get(s.latest("r", 2)))).containsExactly("two", "three");
    assertThat(get(s.latest("r", 0)).entries()).isEmpty();
    assertThat(get(s.latest("r", 0)).latest()).isEqualTo(new RoomPosition(epoch, 3));
    assertThat(redis().hgetall(prefix + ":position:r")).containsEntry("epoch", epoch);
    assertThat(redis().hget(prefix + ":position:r", "seq")).isEqualTo("3");
    assertThat(redis().xlen(prefix + ":history:r")).isEqualTo(3);
    assertThat(s.publishes()).isTrue();
    assertThat(s.keepsHistory()).isTrue();
  }

  @Test
  void append_withExpected_storesUnderThatNumber_orAnswersTheLatestAndStoresNothing()
      throws Exception {
    HistoryStore s = store(started("a", b -> b.history(100)));
    String epoch = append(s, "r", "one", null).position().epoch();

    Appended atThree = append(s, "r", "three", new RoomPosition(epoch, 3));
    Appended atThreeAgain = append(s, "r", "again", new RoomPosition(epoch, 3));
    Appended atTwo = append(s, "r", "two", new RoomPosition(epoch, 2));
    Appended otherEpoch = append(s, "r", "other", new RoomPosition("elsewhere0", 9));
    Appended next = append(s, "r", "four", null);

    assertThat(atThree).isEqualTo(new Appended(true, new RoomPosition(epoch, 3)));
    assertThat(atThreeAgain).isEqualTo(new Appended(false, new RoomPosition(epoch, 3)));
    assertThat(atTwo).isEqualTo(new Appended(false, new RoomPosition(epoch, 3)));
    assertThat(otherEpoch).isEqualTo(new Appended(false, new RoomPosition(epoch, 3)));
    assertThat(next).isEqualTo(new Appended(true, new RoomPosition(epoch, 4)));
    StoredRead all = get(s.read("r", 0, 10));
    assertThat(numbers(all)).as("2 left unused").containsExactly(1L, 3L, 4L);
    assertThat(texts(all)).containsExactly("one", "three", "four");
  }

  @Test
  void unknownRoom_getsOneEpoch_mintedOnce_andSharedByEveryNode() throws Exception {
    HistoryStore a = store(started("a", b -> b.history(10)));
    HistoryStore w = store(started("watcher", b -> b.history(10)));

    List<CompletableFuture<StoredRead>> reads = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      HistoryStore s = i % 2 == 0 ? a : w;
      reads.add((i % 3 == 0 ? s.latest("fresh", 5) : s.read("fresh", 0, 5)).toCompletableFuture());
    }
    String epoch = get(reads.get(0)).latest().epoch();
    for (CompletableFuture<StoredRead> r : reads) {
      assertThat(get(r)).isEqualTo(new StoredRead(new RoomPosition(epoch, 0), List.of()));
    }
    Appended first = append(a, "fresh", "hello", new RoomPosition(epoch, 1));

    assertThat(first).isEqualTo(new Appended(true, new RoomPosition(epoch, 1)));
    await("the other node gets it, numbered")
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(received).containsExactly(draft("fresh", "hello").numbered(1, epoch)));
    assertThat(get(w.read("fresh", 0, 5)).entries())
        .containsExactly(draft("fresh", "hello").numbered(1, epoch));
  }

  @Test
  void appendWithoutMetadata_dropsAStaleStream() throws Exception {
    HistoryStore s = store(started("a", b -> b.history(10)));
    redis().xadd(prefix + ":history:r", new XAddArgs().id("7-0"), Map.of("t", "1", "e", "stale"));

    Appended first = append(s, "r", "fresh", null);

    assertThat(first.stored()).isTrue();
    assertThat(first.position().seq()).isEqualTo(1);
    assertThat(texts(get(s.read("r", 0, 10)))).containsExactly("fresh");
  }

  @Test
  void history_keepsExactlyTheLastN() throws Exception {
    HistoryStore s = store(started("a", b -> b.history(3)));
    for (int i = 1; i <= 7; i++) {
      append(s, "r", "m" + i, null);
    }

    // Redis trims the stream by whole nodes; reads answer the last 3 numbers only.
    assertThat(redis().xlen(prefix + ":history:r")).isBetween(3L, 7L);
    assertThat(texts(get(s.read("r", 0, 10)))).containsExactly("m5", "m6", "m7");
    assertThat(texts(get(s.read("r", 0, 3)))).containsExactly("m5", "m6", "m7");
    assertThat(texts(get(s.read("r", 0, 1)))).containsExactly("m5");
    assertThat(texts(get(s.read("r", 5, 10)))).containsExactly("m6", "m7");
    assertThat(texts(get(s.latest("r", 10)))).containsExactly("m5", "m6", "m7");
    assertThat(get(s.latest("r", 10)).latest().seq()).isEqualTo(7);
  }

  @Test
  void historyAge_leavesOldEntriesUnanswered_andTrimsThemOnTheNextAppend() throws Exception {
    Duration age = Duration.ofMillis(400);
    HistoryStore s =
        store(
            started(
                "a", b -> b.history(100).historyAge(age).metadataGrace(Duration.ofSeconds(30))));
    String epoch = append(s, "r", "old1", null).position().epoch();
    append(s, "r", "old2", null);
    assertThat(redis().pttl(prefix + ":history:r")).isBetween(1L, age.toMillis());

    await("the first two to age")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> get(s.read("r", 0, 10)).entries().isEmpty());
    assertThat(get(s.latest("r", 10)).entries()).isEmpty();
    assertThat(get(s.latest("r", 10)).latest()).isEqualTo(new RoomPosition(epoch, 2));
    append(s, "r", "young", null);

    assertThat(texts(get(s.read("r", 0, 10)))).containsExactly("young");
    assertThat(redis().xlen(prefix + ":history:r")).as("old ones trimmed").isEqualTo(1);
    await("the stream to expire with the last entry")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> redis().exists(prefix + ":history:r") == 0);
    assertThat(get(s.latest("r", 10)))
        .as("the room's epoch and number outlive its history")
        .isEqualTo(new StoredRead(new RoomPosition(epoch, 3), List.of()));
    assertThat(redis().pttl(prefix + ":position:r"))
        .isBetween(Duration.ofSeconds(25).toMillis(), Duration.ofSeconds(31).toMillis());
  }

  @Test
  void historyAgeAlone_boundsTheHistory() throws Exception {
    HistoryStore s = store(started("a", b -> b.historyAge(Duration.ofMinutes(5))));
    for (int i = 1; i <= 5; i++) {
      append(s, "r", "m" + i, null);
    }

    assertThat(s.keepsHistory()).isTrue();
    assertThat(texts(get(s.read("r", 0, 10)))).containsExactly("m1", "m2", "m3", "m4", "m5");
    assertThat(redis().pttl(prefix + ":history:r"))
        .isBetween(Duration.ofMinutes(4).toMillis(), Duration.ofMinutes(5).toMillis());
  }

  @Test
  void expiries_default_toADayForTheStream_andADayLongerForTheRoom() throws Exception {
    HistoryStore s = store(started("a", b -> b.history(10)));
    append(s, "r", "m", null);

    long day = Duration.ofDays(1).toMillis();
    assertThat(redis().pttl(prefix + ":history:r")).isBetween(day - 10_000, day);
    assertThat(redis().pttl(prefix + ":position:r")).isBetween(2 * day - 10_000, 2 * day);
  }

  @Test
  void expiries_followTheBuilder() throws Exception {
    HistoryStore s =
        store(
            started(
                "a",
                b ->
                    b.history(10)
                        .roomIdleTtl(Duration.ofMinutes(10))
                        .metadataGrace(Duration.ofMinutes(5))));
    append(s, "r", "m", null);

    assertThat(redis().pttl(prefix + ":history:r"))
        .isBetween(Duration.ofMinutes(9).toMillis(), Duration.ofMinutes(10).toMillis());
    assertThat(redis().pttl(prefix + ":position:r"))
        .isBetween(Duration.ofMinutes(14).toMillis(), Duration.ofMinutes(15).toMillis());
  }

  @Test
  void flushAll_startsANewEpoch() throws Exception {
    HistoryStore s = store(started("a", b -> b.history(10)));
    String before = append(s, "r", "m1", null).position().epoch();
    append(s, "r", "m2", null);

    redis().flushall();
    StoredRead after = get(s.read("r", 0, 10));
    Appended next = append(s, "r", "m3", null);

    assertThat(after.latest().epoch()).isNotEqualTo(before);
    assertThat(after)
        .isEqualTo(new StoredRead(new RoomPosition(after.latest().epoch(), 0), List.of()));
    assertThat(next).isEqualTo(new Appended(true, new RoomPosition(after.latest().epoch(), 1)));
    assertThat(append(s, "r", "stale", new RoomPosition(before, 3)).stored()).isFalse();
  }

  @Test
  void noHistory_byDefault_numbersOnly() throws Exception {
    HistoryStore s = store(started("a", UnaryOperator.identity()));

    String epoch = append(s, "r", "m1", null).position().epoch();
    Appended second = append(s, "r", "m2", null);

    assertThat(s.keepsHistory()).isFalse();
    assertThat(s.publishes()).isTrue();
    assertThat(second.position()).isEqualTo(new RoomPosition(epoch, 2));
    assertThat(get(s.read("r", 0, 10))).isEqualTo(new StoredRead(second.position(), List.of()));
    assertThat(redis().exists(prefix + ":history:r")).isZero();
    long twoDays = Duration.ofDays(2).toMillis();
    assertThat(redis().pttl(prefix + ":position:r")).isBetween(twoDays - 10_000, twoDays);
  }

  @Test
  void scriptCacheFlushed_appendsAndReadsStillWork() throws Exception {
    HistoryStore s = store(started("a", b -> b.history(10)));
    String epoch = append(s, "r", "m1", null).position().epoch();

    redis().scriptFlush();
    Appended second = append(s, "r", "m2", null);
    redis().scriptFlush();
    StoredRead read = get(s.read("r", 0, 10));

    assertThat(second).isEqualTo(new Appended(true, new RoomPosition(epoch, 2)));
    assertThat(texts(read)).containsExactly("m1", "m2");
  }

  @Test
  void unreadableEntry_isLeftOutAndCounted() throws Exception {
    RedisBackplane b = started("a", o -> o.history(10));
    HistoryStore s = store(b);
    append(s, "r", "m1", null);
    append(s, "r", "m2", null);
    redis().xadd(prefix + ":history:r", new XAddArgs().id("3-0"), Map.of("t", "1", "e", "garbage"));
    redis().hset(prefix + ":position:r", "seq", "3");

    StoredRead read = get(s.read("r", 0, 10));

    assertThat(texts(read)).containsExactly("m1", "m2");
    assertThat(read.latest().seq()).isEqualTo(3);
    assertThat(b.badEnvelopes()).isEqualTo(1);
  }

  @Test
  void notConnected_failsAtOnce() throws Exception {
    RedisBackplane never = RedisBackplane.builder(redis.uri()).prefix(prefix).build();
    backplanes.add(never);
    RedisBackplane closed = started("a", b -> b.history(10));
    closed.close();

    for (RedisBackplane b : List.of(never, closed)) {
      HistoryStore s = store(b);
      for (CompletionStage<?> call :
          List.of(s.append("r", draft("r", "m"), null), s.read("r", 0, 10), s.latest("r", 10))) {
        CompletableFuture<?> f = call.toCompletableFuture();
        assertThat(f).isCompletedExceptionally();
        assertThatThrownBy(f::get)
            .isInstanceOf(ExecutionException.class)
            .hasRootCauseMessage("redis not connected");
      }
    }
  }

  @Test
  void builder_refusesBadValues_namingThem() {
    RedisBackplane.Builder b = RedisBackplane.builder(redis.uri());

    assertThatThrownBy(() -> b.history(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("history: -1 (expected: 0-1000000)");
    assertThatThrownBy(() -> b.history(1_000_001))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("history: 1000001 (expected: 0-1000000)");
    assertThatThrownBy(() -> b.historyAge(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("historyAge: PT-1S (expected: 1ms-365d)");
    assertThatThrownBy(() -> b.historyAge(Duration.ofNanos(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("historyAge: PT0.000000001S (expected: 1ms-365d)");
    assertThatThrownBy(() -> b.roomIdleTtl(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("roomIdleTtl: PT0S (expected: 1ms-365d)");
    assertThatThrownBy(() -> b.metadataGrace(Duration.ofDays(366)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metadataGrace: PT8784H (expected: 1ms-365d)");
    assertThatThrownBy(() -> b.historyAge(null)).isInstanceOf(NullPointerException.class);
    b.history(0).historyAge(Duration.ZERO).history(1_000_000).historyAge(Duration.ofDays(365));
  }
}

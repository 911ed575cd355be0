package dev.hubcast.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.HistoryEntry;
import dev.hubcast.core.Message;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoomHistoryTest {

  private static HistoryEntry append(RoomHistory h, String text, long ts) {
    return h.record(h.lastSequence() + 1, ts, Message.text(text));
  }

  @Test
  void record_numbersFromOne() {
    RoomHistory h = new RoomHistory(3, 0);
    assertThat(append(h, "a", 1).sequence()).isEqualTo(1);
    assertThat(append(h, "b", 2).sequence()).isEqualTo(2);
    assertThat(h.lastSequence()).isEqualTo(2);
  }

  @Test
  void after_keepsLastNAndCountsWhatFellOut() {
    RoomHistory h = new RoomHistory(3, 0);
    for (int i = 1; i <= 5; i++) {
      append(h, "m" + i, i);
    }

    List<HistoryEntry> all = h.after(0, 10);
    assertThat(all).extracting(HistoryEntry::sequence).containsExactly(3L, 4L, 5L);
    assertThat(h.missed(0, all)).isEqualTo(2);

    List<HistoryEntry> resume = h.after(3, 10);
    assertThat(resume).extracting(HistoryEntry::sequence).containsExactly(4L, 5L);
    assertThat(h.missed(3, resume)).isZero();
    assertThat(h.after(5, 10)).isEmpty();
  }

  @Test
  void after_leavesOutEntriesPastTheirAge() {
    RoomHistory h = new RoomHistory(10, 100);
    h.record(1, 1_000, Message.text("old"));
    h.record(2, 1_150, Message.text("newer"));
    h.record(3, 1_180, Message.text("newest"));

    assertThat(h.after(0, 1_200)).extracting(HistoryEntry::sequence).containsExactly(2L, 3L);
    assertThat(h.latest(1, 1_200)).extracting(HistoryEntry::sequence).containsExactly(3L);
    assertThat(h.after(0, 1_251)).extracting(HistoryEntry::sequence).containsExactly(3L);
    assertThat(h.after(0, 1_281)).isEmpty();
  }

  @Test
  void record_withJump_leavesGapAndRefusesOldNumbers() {
    RoomHistory h = new RoomHistory(10, 0);
    h.record(1, 1, Message.text("a"));
    h.record(4, 2, Message.text("d"));

    assertThat(h.record(3, 3, Message.text("late"))).isNull();
    assertThat(h.record(4, 3, Message.text("dup"))).isNull();
    List<HistoryEntry> r = h.after(0, 5);
    assertThat(r).extracting(HistoryEntry::sequence).containsExactly(1L, 4L);
    assertThat(h.missed(0, r)).isEqualTo(2);
    assertThat(append(h, "e", 4).sequence()).isEqualTo(5);
  }

  @Test
  void reset_startsTheNumberingAgain() {
    RoomHistory h = new RoomHistory(2, 0);
    append(h, "a", 1);
    h.reset();
    assertThat(h.lastSequence()).isZero();
    assertThat(h.after(0, 2)).isEmpty();
    assertThat(append(h, "b", 2).sequence()).isEqualTo(1);
  }
}

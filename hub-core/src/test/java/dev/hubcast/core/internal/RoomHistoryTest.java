package dev.hubcast.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.HistoryEntry;
import dev.hubcast.core.HistoryRead;
import dev.hubcast.core.Message;
import org.junit.jupiter.api.Test;

class RoomHistoryTest {

  @Test
  void append_numbersFromOne() {
    RoomHistory h = new RoomHistory(3);
    assertThat(h.append(Message.text("a"), 1).sequence()).isEqualTo(1);
    assertThat(h.append(Message.text("b"), 2).sequence()).isEqualTo(2);
    assertThat(h.lastSequence()).isEqualTo(2);
  }

  @Test
  void read_keepsLastNAndReportsGap() {
    RoomHistory h = new RoomHistory(3);
    for (int i = 1; i <= 5; i++) {
      h.append(Message.text("m" + i), i);
    }

    HistoryRead all = h.read(0);
    assertThat(all.entries()).extracting(HistoryEntry::sequence).containsExactly(3L, 4L, 5L);
    assertThat(all.gap()).isTrue();
    assertThat(all.missed()).isEqualTo(2);
    assertThat(all.lastSequence()).isEqualTo(5);

    HistoryRead resume = h.read(3);
    assertThat(resume.entries()).extracting(HistoryEntry::sequence).containsExactly(4L, 5L);
    assertThat(resume.gap()).isFalse();

    HistoryRead upToDate = h.read(5);
    assertThat(upToDate.entries()).isEmpty();
    assertThat(upToDate.gap()).isFalse();
  }

  @Test
  void record_withJump_leavesGapAndRefusesOldNumbers() {
    RoomHistory h = new RoomHistory(10);
    h.record(1, 1, Message.text("a"));
    h.record(4, 2, Message.text("d"));

    assertThat(h.record(3, 3, Message.text("late"))).isNull();
    assertThat(h.record(4, 3, Message.text("dup"))).isNull();
    HistoryRead r = h.read(0);
    assertThat(r.entries()).extracting(HistoryEntry::sequence).containsExactly(1L, 4L);
    assertThat(r.missed()).isEqualTo(2);
    assertThat(h.append(Message.text("e"), 4).sequence()).isEqualTo(5);
  }

  @Test
  void read_onEmpty_hasNothing() {
    HistoryRead r = new RoomHistory(2).read(0);
    assertThat(r.entries()).isEmpty();
    assertThat(r.gap()).isFalse();
    assertThat(r.lastSequence()).isZero();
  }
}

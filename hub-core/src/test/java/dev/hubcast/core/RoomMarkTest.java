package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RoomMarkTest {

  @ParameterizedTest
  @ValueSource(strings = {"lobby", "a room", "x:y:z", "line\nbreak", "ünïcode ✓", "%41", "+"})
  void textForm_roundTrips_andHoldsNoLineBreakOrSpace(String room) {
    RoomMark mark = new RoomMark(room, new RoomPosition("Ep0.-_", 123_456_789_012L));

    String text = mark.toText();

    assertThat(text).doesNotContain("\n", "\r", "\0", " ");
    assertThat(RoomMark.parse(text)).isEqualTo(mark);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "42",
        "ep:1",
        "ep:1:",
        ":1:r",
        "ep::r",
        "ep:-1:r",
        "ep:1x:r",
        "e p:1:r",
        "ep:9999999999999999999:r",
        "ep:1:%zz",
        "ep:1:a room",
        "ep:1:a\u0000b",
        "ep:1:a~b"
      })
  void notAMark_isEmpty_andParseNamesIt(String text) {
    assertThat(RoomMark.tryParse(text)).isEmpty();
    assertThatThrownBy(() -> RoomMark.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + text + "\"");
  }

  @Test
  void anOverlongText_isNotAMark() {
    assertThat(RoomMark.tryParse("ep:1:" + "r".repeat(RoomMark.MAX_TEXT_LENGTH))).isEmpty();
    assertThat(RoomMark.tryParse(null)).isEmpty();
  }

  @Test
  void aMarkThatWouldWriteBackTooLong_isNotRead() {
    // 300 escapes of a byte that is not UTF-8: each decodes to U+FFFD, three times longer written.
    assertThat(RoomMark.tryParse("ep:1:" + "%FF".repeat(300))).isEmpty();
    assertThat(RoomMark.tryParse("ep:1:" + "%41".repeat(300))).isPresent();
  }

  @Test
  void anEmptyRoom_isRefused() {
    assertThatThrownBy(() -> new RoomMark("", new RoomPosition("e", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("room");
  }

  @Test
  void withMark_sharesTheBytes_andKeepsEquality() {
    Message m = Message.text("hi");
    RoomMark mark = new RoomMark("r", new RoomPosition("e", 1));

    Message marked = m.withMark(mark);

    assertThat(marked.mark()).contains(mark);
    assertThat(m.mark()).isEmpty();
    assertThat(marked).isEqualTo(m);
    assertThat(marked.text()).isEqualTo("hi");
    assertThat(marked.withMark(mark)).isSameAs(marked);
  }
}

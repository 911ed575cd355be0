package dev.hubcast.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The event-stream parser: events whole, split across pieces anywhere, and the odd lines. */
class SseEventParserTest {

  /** What Hubcast sends: open, a message, a heartbeat, a room broadcast with an id, a close. */
  private static final String STREAM =
      "event: hubcast-open\ndata: 0123456789abcdef\n\n"
          + "data: 0000 000000000001 0000000000000000042 xxxx\n\n"
          + ":\n"
          + "id: bench.7\ndata: second\n\n"
          + "data: two\ndata: lines\n\n"
          + "event: hubcast-close\ndata: 1001 going away\n\n";

  private static final List<String> EVENTS =
      List.of(
          "hubcast-open|0123456789abcdef",
          "message|0000 000000000001 0000000000000000042 xxxx",
          "message|second",
          "message|two\nlines",
          "hubcast-close|1001 going away");

  /** Records each event as {@code type|data}, and the buffer it came in. */
  private static final class Recorder implements SseEventParser.Listener {
    final List<String> events = new ArrayList<>();
    final List<ByteBuf> buffers = new ArrayList<>();

    @Override
    public void onEvent(String type, ByteBuf data, int at, int length) {
      events.add(
          (type == null ? "message" : type)
              + "|"
              + data.toString(at, length, StandardCharsets.UTF_8));
      buffers.add(data);
    }
  }

  private static ByteBuf ascii(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  @Test
  void wholeStream_inOnePiece_givesEveryEvent() {
    Recorder r = new Recorder();
    SseEventParser parser = new SseEventParser(r);
    ByteBuf piece = ascii(STREAM);

    parser.feed(piece);

    assertThat(r.events).isEqualTo(EVENTS);
    assertThat(piece.isReadable()).isFalse();
  }

  @Test
  void eventWhollyInThePiece_isHandedOverInPlace_withoutACopy() {
    Recorder r = new Recorder();
    SseEventParser parser = new SseEventParser(r);
    ByteBuf piece = ascii("data: in place\n\n");

    parser.feed(piece);

    assertThat(r.events).containsExactly("message|in place");
    assertThat(r.buffers.get(0)).isSameAs(piece);
  }

  @Test
  void streamSplitInTwo_atEveryByte_givesTheSameEvents() {
    for (int cut = 0; cut <= STREAM.length(); cut++) {
      Recorder r = new Recorder();
      SseEventParser parser = new SseEventParser(r);

      parser.feed(ascii(STREAM.substring(0, cut)));
      parser.feed(ascii(STREAM.substring(cut)));

      assertThat(r.events).as("cut at %d", cut).isEqualTo(EVENTS);
    }
  }

  @Test
  void streamSplitInThree_atEveryPairOfBytes_givesTheSameEvents() {
    for (int a = 0; a <= STREAM.length(); a++) {
      for (int b = a; b <= STREAM.length(); b += 3) {
        Recorder r = new Recorder();
        SseEventParser parser = new SseEventParser(r);

        parser.feed(ascii(STREAM.substring(0, a)));
        parser.feed(ascii(STREAM.substring(a, b)));
        parser.feed(ascii(STREAM.substring(b)));

        assertThat(r.events).as("cut at %d and %d", a, b).isEqualTo(EVENTS);
      }
    }
  }

  @Test
  void streamByteByByte_givesTheSameEvents() {
    Recorder r = new Recorder();
    SseEventParser parser = new SseEventParser(r);

    for (int i = 0; i < STREAM.length(); i++) {
      parser.feed(ascii(STREAM.substring(i, i + 1)));
    }

    assertThat(r.events).isEqualTo(EVENTS);
  }

  @Test
  void crlfLineEnds_areRead_likeLf() {
    Recorder r = new Recorder();
    SseEventParser parser = new SseEventParser(r);

    parser.feed(ascii(STREAM.substring(0, 30).replace("\n", "\r\n")));
    parser.feed(ascii(STREAM.substring(30).replace("\n", "\r\n")));

    assertThat(r.events).isEqualTo(EVENTS);
  }

  @Test
  void oddLines_followTheFormat() {
    Recorder r = new Recorder();
    SseEventParser parser = new SseEventParser(r);

    parser.feed(
        ascii(
            ": a comment\n\n" // no data: no event
                + "event: lonely\n\n" // no data: no event, and the type does not stay
                + "data:no space\n\n"
                + "data:  two spaces\n\n"
                + "data\n\n" // the name alone: empty data
                + "retry: 10\nfoo: bar\ndata: after unknown fields\n\n"
                + "database: not a data line\ndata: x\n\n"));

    assertThat(r.events)
        .containsExactly(
            "message|no space",
            "message| two spaces",
            "message|",
            "message|after unknown fields",
            "message|x");
  }

  @Test
  void unfinishedEvent_isNotHandedOver_untilItsBlankLine() {
    Recorder r = new Recorder();
    SseEventParser parser = new SseEventParser(r);

    parser.feed(ascii("data: one\ndata: two\n"));
    assertThat(r.events).isEmpty();

    parser.feed(ascii("\n"));
    assertThat(r.events).containsExactly("message|one\ntwo");
  }

  @Test
  void lineOverTheLimit_isRefused() {
    SseEventParser parser = new SseEventParser(new Recorder());
    ByteBuf big = Unpooled.buffer(SseEventParser.MAX_BYTES + 10);
    big.writeBytes("data: ".getBytes(StandardCharsets.US_ASCII));
    while (big.readableBytes() < SseEventParser.MAX_BYTES + 5) {
      big.writeByte('x');
    }

    assertThatThrownBy(() -> parser.feed(big)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closeCode_isReadFromTheCloseEventsData() {
    assertThat(SseClientHandler.closeCode(ascii("1001 going away"), 0, 15)).isEqualTo(1001);
    assertThat(SseClientHandler.closeCode(ascii("4000"), 0, 4)).isEqualTo(4000);
    assertThat(SseClientHandler.closeCode(ascii("odd"), 0, 3)).isEqualTo(1005);
  }
}

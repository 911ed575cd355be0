package dev.hubcast.jakarta.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.CloseCodes;
import dev.hubcast.core.Message;
import dev.hubcast.testkit.RawWebSocket;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The upgrade's frame reader, fed client frames (masked, as RawWebSocket builds them). */
class FrameReaderTest {

  private final List<String> events = new ArrayList<>();
  private final FrameReader reader =
      new FrameReader(
          1024,
          new FrameReader.Handler() {
            @Override
            public void onMessage(Message message) {
              events.add(
                  (message.isText() ? "text " : "binary ")
                      + new String(message.toByteArray(), StandardCharsets.UTF_8));
            }

            @Override
            public void onPing(byte[] payload) {
              events.add("ping " + new String(payload, StandardCharsets.UTF_8));
            }

            @Override
            public void onPong() {
              events.add("pong");
            }

            @Override
            public void onClose(int code, String reason) {
              events.add("close " + code + " " + reason);
            }

            @Override
            public void onError(int code, String reason) {
              events.add("error " + code);
            }
          });

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] join(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private void feedByteByByte(byte[] bytes) {
    for (int i = 0; i < bytes.length; i++) {
      reader.feed(bytes, i, 1);
    }
  }

  @Test
  void messages_whole_fragmented_andSplitAnywhere_withControlFramesBetweenFragments() {
    byte[] wire =
        join(
            RawWebSocket.frame(true, RawWebSocket.TEXT, utf8("héllo")),
            RawWebSocket.frame(false, RawWebSocket.TEXT, utf8("one ")),
            RawWebSocket.frame(true, 0x9, utf8("p")),
            RawWebSocket.frame(true, 0x0, utf8("two")),
            RawWebSocket.frame(true, 0x2, new byte[] {'b'}),
            RawWebSocket.frame(true, 0x8, RawWebSocket.closePayload(4000, "bye")));

    feedByteByByte(wire);

    assertThat(events)
        .containsExactly("text héllo", "ping p", "text one two", "binary b", "close 4000 bye");
    assertThat(reader.isDone()).isTrue();
  }

  @Test
  void oversize_isRefusedFromTheHeader_thenDataIsDroppedAndTheCloseStillRead() {
    byte[] big = RawWebSocket.frame(true, RawWebSocket.TEXT, new byte[2000]);
    byte[] header = java.util.Arrays.copyOf(big, 8); // 2 + 2 (length 2000) + 4 (mask)

    reader.feed(header, 0, header.length);
    assertThat(events).containsExactly("error " + CloseCodes.MESSAGE_TOO_BIG);

    byte[] rest =
        join(
            java.util.Arrays.copyOfRange(big, 8, big.length),
            RawWebSocket.frame(true, RawWebSocket.TEXT, utf8("dropped")),
            RawWebSocket.frame(true, 0x8, RawWebSocket.closePayload(1000, "")));
    reader.feed(rest, 0, rest.length);
    assertThat(events).containsExactly("error 1009", "close 1000 ");
  }

  @Test
  void textThatIsNotUtf8_isRefusedAtTheByteThatBreaksIt() {
    byte[] bad =
        RawWebSocket.frame(true, RawWebSocket.TEXT, new byte[] {'o', 'k', (byte) 0xC3, '('});

    feedByteByByte(bad);

    assertThat(events).containsExactly("error " + CloseCodes.INVALID_PAYLOAD);
  }

  @Test
  void framesAClientMayNotSend_are1002_andNothingIsReadAfter() {
    byte[] unmasked = {(byte) 0x81, 0x02, 'h', 'i'};
    reader.feed(unmasked, 0, unmasked.length);
    byte[] more = RawWebSocket.frame(true, RawWebSocket.TEXT, utf8("after"));
    reader.feed(more, 0, more.length);

    assertThat(events).containsExactly("error " + CloseCodes.PROTOCOL_ERROR);
    assertThat(reader.isDone()).isTrue();
  }

  @Test
  void closeFrames_withACodeAPeerMayNotSend_orOneByte_are1002() {
    byte[] noStatus = RawWebSocket.frame(true, 0x8, new byte[] {0x03, (byte) 0xED}); // 1005
    reader.feed(noStatus, 0, noStatus.length);
    assertThat(events).containsExactly("error " + CloseCodes.PROTOCOL_ERROR);
  }

  @Test
  void aContinuationDeclaringNearly2To63Bytes_is1009_notAnOverflow() {
    byte[] wire =
        join(
            RawWebSocket.frame(false, RawWebSocket.TEXT, utf8("a")),
            new byte[] {
              0x00, (byte) (0x80 | 127), 0x7F, -1, -1, -1, -1, -1, -1, -1, 1, 2, 3, 4, 'x'
            });

    reader.feed(wire, 0, wire.length);

    assertThat(events).containsExactly("error " + CloseCodes.MESSAGE_TOO_BIG);
  }

  @Test
  void anUnmaskedFrame_isRefusedFromItsSecondByte() {
    byte[] twoBytes = {(byte) 0x88, 0x00};

    reader.feed(twoBytes, 0, 2);

    assertThat(events).containsExactly("error " + CloseCodes.PROTOCOL_ERROR);
  }
}

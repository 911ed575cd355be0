package dev.hubcast.jetty.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.Message;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.exception.BadPayloadException;
import org.eclipse.jetty.websocket.core.exception.MessageTooLargeException;
import org.junit.jupiter.api.Test;

/** Inbound data frames into messages: fragments, the size limit and UTF-8, frame by frame. */
class MessageAssemblerTest {

  private static Frame frame(byte opCode, boolean fin, byte[] payload) {
    return new Frame(opCode, fin, ByteBuffer.wrap(payload));
  }

  @Test
  void oneFrame_isOneMessage_andItsPayloadIsNotConsumed() {
    MessageAssembler assembler = new MessageAssembler(100);
    Frame frame = frame(OpCode.TEXT, true, "hello".getBytes(UTF_8));

    Message message = assembler.add(frame);

    assertThat(message).isEqualTo(Message.text("hello"));
    assertThat(frame.getPayload().remaining()).isEqualTo(5);
  }

  @Test
  void fragments_makeOneMessage_evenWithACharacterSplitAcrossThem() {
    MessageAssembler assembler = new MessageAssembler(100);
    byte[] euro = "€uro".getBytes(UTF_8); // the euro sign is 3 bytes

    assertThat(assembler.add(frame(OpCode.TEXT, false, Arrays.copyOfRange(euro, 0, 2)))).isNull();
    assertThat(assembler.add(frame(OpCode.CONTINUATION, false, Arrays.copyOfRange(euro, 2, 4))))
        .isNull();
    Message message =
        assembler.add(frame(OpCode.CONTINUATION, true, Arrays.copyOfRange(euro, 4, euro.length)));

    assertThat(message).isEqualTo(Message.text("€uro"));
  }

  @Test
  void binaryFragments_makeOneBinaryMessage() {
    MessageAssembler assembler = new MessageAssembler(100);
    assertThat(assembler.add(frame(OpCode.BINARY, false, new byte[] {1, 2}))).isNull();
    Message message = assembler.add(frame(OpCode.CONTINUATION, true, new byte[] {3}));
    assertThat(message).isEqualTo(Message.binary(new byte[] {1, 2, 3}));
  }

  @Test
  void emptyFrame_isAnEmptyMessage() {
    MessageAssembler assembler = new MessageAssembler(100);
    assertThat(assembler.add(new Frame(OpCode.TEXT))).isEqualTo(Message.text(""));
  }

  @Test
  void messageOverTheLimit_failsAtTheFrameThatCrossesIt_thenTheNextMessageIsFine() {
    MessageAssembler assembler = new MessageAssembler(10);
    assertThat(assembler.add(frame(OpCode.BINARY, false, new byte[6]))).isNull();

    assertThatThrownBy(() -> assembler.add(frame(OpCode.CONTINUATION, false, new byte[5])))
        .isInstanceOf(MessageTooLargeException.class)
        .hasMessage("message over 10 bytes");

    assertThat(assembler.add(frame(OpCode.BINARY, true, new byte[10])))
        .isEqualTo(Message.binary(new byte[10]));
  }

  @Test
  void invalidUtf8_failsAtTheFirstBadFragment_beforeTheMessageEnds() {
    MessageAssembler assembler = new MessageAssembler(100);
    assertThat(assembler.add(frame(OpCode.TEXT, false, "ok ".getBytes(UTF_8)))).isNull();

    assertThatThrownBy(
            () -> assembler.add(frame(OpCode.CONTINUATION, false, new byte[] {(byte) 0xC0, 0x41})))
        .isInstanceOf(BadPayloadException.class);
  }

  @Test
  void textEndingInsideACharacter_failsAtTheLastFrame() {
    MessageAssembler assembler = new MessageAssembler(100);
    byte[] euro = "€".getBytes(UTF_8);

    assertThatThrownBy(() -> assembler.add(frame(OpCode.TEXT, true, Arrays.copyOf(euro, 2))))
        .isInstanceOf(BadPayloadException.class)
        .hasMessage("text message is not valid UTF-8");
  }

  @Test
  void binary_isNotCheckedAsUtf8() {
    MessageAssembler assembler = new MessageAssembler(100);
    byte[] notUtf8 = {(byte) 0xFF, (byte) 0xC0};
    assertThat(assembler.add(frame(OpCode.BINARY, true, notUtf8)))
        .isEqualTo(Message.binary(notUtf8));
  }
}

package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MessageCodecTest {

  @Test
  void text_roundTrips() {
    MessageCodec<String> codec = MessageCodec.text();
    assertThat(codec.decode(codec.encode("hé"))).isEqualTo("hé");
    assertThat(codec.encode("x").isText()).isTrue();
  }

  @Test
  void text_refusesBinaryWith1003() {
    assertThatThrownBy(() -> MessageCodec.text().decode(Message.binary(new byte[] {1})))
        .isInstanceOfSatisfying(
            MessageDecodingException.class,
            e -> assertThat(e.closeCode()).isEqualTo(CloseCodes.UNSUPPORTED_DATA));
  }

  @Test
  void text_refusesInvalidUtf8With1007() {
    assertThatThrownBy(() -> MessageCodec.text().decode(Message.textUtf8(new byte[] {(byte) 0xFF})))
        .isInstanceOfSatisfying(
            MessageDecodingException.class,
            e -> assertThat(e.closeCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD));
  }

  @Test
  void bytes_takeAnyFrame() {
    MessageCodec<byte[]> codec = MessageCodec.bytes();
    assertThat(codec.encode(new byte[] {1, 2}).isText()).isFalse();
    assertThat(codec.decode(Message.text("ab"))).containsExactly('a', 'b');
  }

  @Test
  void frames_passThrough() {
    Message f = Message.text("same");
    assertThat(MessageCodec.identity().encode(f)).isSameAs(f);
    assertThat(MessageCodec.identity().decode(f)).isSameAs(f);
  }

  @Test
  void encode_nullIsRefusedByName() {
    assertThatThrownBy(() -> MessageCodec.text().encode(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("message");
  }

  @Test
  void hubException_refusesUnsendableCode() {
    assertThatThrownBy(() -> new MessageDecodingException(1006, "x", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("closeCode: 1006");
  }
}

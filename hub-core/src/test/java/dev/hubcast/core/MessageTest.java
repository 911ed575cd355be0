package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MessageTest {

  @Test
  void text_encodesUtf8Once() {
    Message f = Message.text("héllo");

    assertThat(f.isText()).isTrue();
    assertThat(f.length()).isEqualTo("héllo".getBytes(StandardCharsets.UTF_8).length);
    assertThat(f.text()).isEqualTo("héllo");
    assertThat(f.toByteArray()).isEqualTo("héllo".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void payload_isReadOnlyViewWithoutCopy() {
    Message f = Message.binary(new byte[] {1, 2, 3});
    ByteBuffer p = f.payload();

    assertThat(p.isReadOnly()).isTrue();
    assertThat(p.remaining()).isEqualTo(3);
    assertThatThrownBy(() -> p.put(0, (byte) 9)).isInstanceOf(ReadOnlyBufferException.class);
    p.get();
    assertThat(f.payload().position()).isZero();
  }

  @Test
  void binary_copiesItsInput() {
    byte[] data = {1, 2, 3};
    Message f = Message.binary(data);
    data[0] = 42;

    assertThat(f.toByteArray()).containsExactly(1, 2, 3);
    assertThat(f.isText()).isFalse();
  }

  @Test
  void binaryFromBuffer_doesNotMoveIt() {
    ByteBuffer b = ByteBuffer.wrap(new byte[] {5, 6, 7});
    b.get();

    Message f = Message.binary(b);

    assertThat(f.toByteArray()).containsExactly(6, 7);
    assertThat(b.position()).isEqualTo(1);
  }

  @Test
  void textUtf8_invalidBytes_failsWith1007() {
    Message f = Message.textUtf8(new byte[] {(byte) 0xC3, (byte) 0x28});

    assertThatThrownBy(f::text)
        .isInstanceOfSatisfying(
            MessageDecodingException.class,
            e -> assertThat(e.closeCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD));
  }

  @Test
  void textUtf8_validBytes_decodes() {
    assertThat(Message.textUtf8("ok ✓".getBytes(StandardCharsets.UTF_8)).text()).isEqualTo("ok ✓");
    assertThat(Message.textUtf8(ByteBuffer.wrap("x".getBytes(StandardCharsets.UTF_8))).text())
        .isEqualTo("x");
  }

  @Test
  void text_onBinaryFrame_isIllegalState() {
    assertThatThrownBy(() -> Message.binary(new byte[1]).text())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void wireForm_isComputedOncePerKey() {
    Message f = Message.text("hi");
    Message.WireKey<String> a = Message.WireKey.of("a");
    Message.WireKey<String> b = Message.WireKey.of("b");
    AtomicInteger calls = new AtomicInteger();

    String first = f.wireForm(a, x -> "A" + calls.incrementAndGet());
    String again = f.wireForm(a, x -> "A" + calls.incrementAndGet());
    String other = f.wireForm(b, x -> "B" + calls.incrementAndGet());

    assertThat(first).isSameAs(again).isEqualTo("A1");
    assertThat(other).isEqualTo("B2");
    assertThat(calls).hasValue(2);
  }

  @Test
  void toString_neverShowsPayload() {
    assertThat(Message.text("secret-token").toString())
        .doesNotContain("secret")
        .contains("12 bytes");
  }

  @Test
  void equality_byTypeAndBytes() {
    assertThat(Message.text("a")).isEqualTo(Message.textUtf8(new byte[] {'a'}));
    assertThat(Message.text("a")).isNotEqualTo(Message.binary(new byte[] {'a'}));
    assertThat(Message.text("a").hashCode()).isEqualTo(Message.text("a").hashCode());
  }
}

package dev.hubcast.jetty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hubcast.core.Message;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The shared payload a message is sent with. */
class WirePayloadsTest {

  @Test
  void build_smallMessage_isAViewOfTheMessage_largeMessage_isOneDirectCopy() {
    Message small = Message.binary(new byte[WirePayloads.DIRECT_THRESHOLD - 1]);
    Message large = Message.binary(new byte[WirePayloads.DIRECT_THRESHOLD]);
    ByteBuffer s = WirePayloads.build(small);
    ByteBuffer l = WirePayloads.build(large);
    assertThat(s.isDirect()).isFalse();
    assertThat(s.isReadOnly()).isTrue();
    assertThat(l.isDirect()).isTrue();
    assertThat(l.isReadOnly()).isTrue();
    assertThat(l).isEqualTo(large.payload());
  }

  @Test
  void of_buildsOncePerMessage_andReturnsTheSameBufferAfter() {
    Message message = Message.text("x".repeat(WirePayloads.DIRECT_THRESHOLD));
    ByteBuffer first = WirePayloads.of(message);
    assertThat(WirePayloads.of(message)).isSameAs(first);
    assertThat(first).isEqualTo(message.payload());
  }
}

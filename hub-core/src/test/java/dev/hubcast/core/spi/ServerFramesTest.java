package dev.hubcast.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ServerFramesTest {

  private static byte[] header(int opcode, int length) {
    ByteBuffer out = ByteBuffer.allocate(ServerFrames.headerLength(length));
    ServerFrames.putHeader(out, opcode, length);
    assertThat(out.hasRemaining()).as("header fills exactly its length").isFalse();
    return out.array();
  }

  @Test
  void lengths_takeOneTwoOrEightBytes_atTheRfcsBounds() {
    assertThat(header(ServerFrames.OPCODE_TEXT, 0)).containsExactly(0x81, 0x00);
    assertThat(header(ServerFrames.OPCODE_TEXT, 125)).containsExactly(0x81, 125);
    assertThat(header(ServerFrames.OPCODE_BINARY, 126)).containsExactly(0x82, 126, 0x00, 126);
    assertThat(header(ServerFrames.OPCODE_BINARY, 65535)).containsExactly(0x82, 126, 0xFF, 0xFF);
    assertThat(header(ServerFrames.OPCODE_CLOSE, 65536))
        .containsExactly(0x88, 127, 0, 0, 0, 0, 0, 1, 0, 0);
  }

  @Test
  void badArguments_areRefused_namingTheValue() {
    assertThatThrownBy(() -> ServerFrames.headerLength(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("payloadLength: -1");
    assertThatThrownBy(() -> ServerFrames.putHeader(ByteBuffer.allocate(14), 16, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("opcode: 16");
  }
}

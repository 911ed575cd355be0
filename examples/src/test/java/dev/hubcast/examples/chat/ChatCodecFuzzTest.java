package dev.hubcast.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hubcast.core.Message;

/**
 * Fuzzes the chat's message decoding: whatever bytes a client sends as a text message, decoding
 * either yields a message the server can encode again, or fails with a {@link
 * ChatDecodingException} (which the server answers with an error message). Anything else (another
 * exception, a hang, a crash) is a finding.
 *
 * <p>On every build this replays the saved inputs under {@code
 * src/test/resources/dev/hubcast/examples/chat/ChatCodecFuzzTestInputs/} as ordinary tests. To
 * fuzz: {@code JAZZER_FUZZ=1 mvn -pl examples test -Dtest=ChatCodecFuzzTest}.
 */
class ChatCodecFuzzTest {

  private static final ChatCodec CODEC = new ChatCodec();

  @FuzzTest(maxDuration = "3m")
  void decode_yieldsAMessageOrAChatError(byte[] input) {
    ChatMessage message;
    try {
      message = CODEC.decode(Message.textUtf8(input));
    } catch (ChatDecodingException expected) {
      assertThat(expected.code()).isIn("bad-request", "too-long");
      assertThat(expected.getMessage()).isNotBlank();
      return;
    }
    assertThat(message).isNotNull();
    assertThat(CODEC.decode(CODEC.encode(message))).isEqualTo(message);
  }
}

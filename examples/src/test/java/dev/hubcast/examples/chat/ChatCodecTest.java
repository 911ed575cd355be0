package dev.hubcast.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.Message;
import dev.hubcast.examples.chat.ChatMessage.Dm;
import dev.hubcast.examples.chat.ChatMessage.ErrorReply;
import dev.hubcast.examples.chat.ChatMessage.RoomMessage;
import dev.hubcast.examples.chat.ChatMessage.Say;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ChatCodecTest {
  private final ChatCodec codec = new ChatCodec();

  @Test
  void encode_message_isTheProtocolsJson() {
    Instant ts = Instant.parse("2025-01-02T03:04:05.678Z");
    assertThat(codec.encode(new RoomMessage("lobby", "ada", "hi \"you\"", 3, "e1", ts)).text())
        .isEqualTo(
            "{\"type\":\"message\",\"room\":\"lobby\",\"from\":\"ada\",\"text\":\"hi \\\"you\\\"\","
                + "\"seq\":3,\"epoch\":\"e1\",\"ts\":\"2025-01-02T03:04:05.678Z\"}");
  }

  @Test
  void join_withSince_decodes_andABadOneSaysWhatIsWrong() {
    assertThat(
            codec.decode(
                Message.text(
                    "{\"type\":\"join\",\"room\":\"dev\",\"since\":{\"epoch\":\"e1\",\"seq\":7}}")))
        .isEqualTo(new ChatMessage.Join("dev", new ChatMessage.Since("e1", 7L)));
    assertBadRequest(
        "{\"type\":\"join\",\"room\":\"dev\",\"since\":{\"epoch\":\"e1\"}}",
        "join: \"since\" needs an \"epoch\" and a \"seq\"");
    assertBadRequest(
        "{\"type\":\"join\",\"room\":\"dev\",\"since\":{\"epoch\":\"e1\",\"seq\":-1}}",
        "join: \"since\".\"seq\" must be 0 or more (was -1)");
    assertBadRequest(
        "{\"type\":\"join\",\"room\":\"dev\",\"since\":{\"epoch\":\"a b\",\"seq\":1}}",
        "join: \"since\".\"epoch\" must be 1-64 letters, digits, '_', '-' or '.'");
  }

  @Test
  void encode_leavesOutWhatIsNotThere() {
    assertThat(codec.encode(new Dm(null, "bob", "psst", null)).text())
        .isEqualTo("{\"type\":\"dm\",\"to\":\"bob\",\"text\":\"psst\"}");
    assertThat(codec.encode(new ErrorReply("too-long", "x")).text())
        .isEqualTo("{\"type\":\"error\",\"code\":\"too-long\",\"message\":\"x\"}");
  }

  @Test
  void decode_roundTripsAndIgnoresUnknownFields() {
    assertThat(codec.decode(Message.text("{\"type\":\"say\",\"text\":\"hi\",\"colour\":\"red\"}")))
        .isEqualTo(new Say("hi"));
    RoomMessage m =
        new RoomMessage("dev", "ada", "x", 9, "e1", Instant.parse("2025-01-02T03:04:05Z"));
    assertThat(codec.decode(codec.encode(m))).isEqualTo(m);
  }

  @Test
  void decode_badInput_saysWhatIsWrong_withoutQuotingIt() {
    assertBadRequest("{\"type\":\"say\"}", "say: missing \"text\"");
    assertBadRequest("{\"type\":\"dm\",\"text\":\"x\"}", "dm: missing \"to\"");
    assertBadRequest("{\"type\":\"say\",\"text\":1}", "\"text\" has the wrong kind");
    assertBadRequest("{\"text\":\"secret\"}", "missing \"type\"");
    assertBadRequest("{\"type\":\"yell\"}", "unknown type \"yell\" (expected: say, join or dm)");
    assertBadRequest("secret token", "not valid JSON");
    assertBadRequest("null", "expected a JSON object with a \"type\"");
    assertThatThrownBy(() -> codec.decode(Message.binary(new byte[] {1})))
        .isInstanceOf(ChatDecodingException.class)
        .hasMessage("binary messages are not accepted");
  }

  @Test
  void decode_aValueThatIsNoObject_orATypeThatIsNoString_saysSo() {
    String noObject = "expected a JSON object with a \"type\"";
    assertBadRequest("[1,2,3]", noObject);
    assertBadRequest("[\"say\",{\"text\":\"secret\"}]", noObject);
    assertBadRequest("[]", noObject);
    assertBadRequest("42", noObject);
    assertBadRequest("\"secret\"", noObject);
    assertBadRequest("true", noObject);
    String typeNoString = "\"type\" must be a string (say, join or dm)";
    assertBadRequest("{\"type\":5}", typeNoString);
    assertBadRequest("{\"type\":5,\"text\":\"secret\"}", typeNoString);
    assertBadRequest("{\"type\":true}", typeNoString);
    assertBadRequest("{\"type\":null}", typeNoString);
    assertBadRequest("{\"type\":{\"secret\":1}}", typeNoString);
    assertBadRequest("{\"type\":[\"say\"]}", typeNoString);
  }

  private void assertBadRequest(String json, String message) {
    assertThatThrownBy(() -> codec.decode(Message.text(json)))
        .isInstanceOfSatisfying(
            ChatDecodingException.class, e -> assertThat(e.code()).isEqualTo("bad-request"))
        .hasMessage(message)
        .hasMessageNotContaining("secret");
  }
}

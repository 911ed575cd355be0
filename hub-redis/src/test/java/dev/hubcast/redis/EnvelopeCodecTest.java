package dev.hubcast.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.Message;
import dev.hubcast.core.Target;
import dev.hubcast.core.backplane.Envelope;
import dev.hubcast.redis.internal.EnvelopeCodec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvelopeCodecTest {

  /** The numbered form as the append script writes it: ASCII number and epoch, then the draft. */
  private static byte[] numbered(String head, Envelope draft) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(EnvelopeCodec.encode(draft));
    return out.toByteArray();
  }

  private static Envelope draft(Target target, Message message) {
    return new Envelope("n1", 5, target, message, -1, "", 1700000000123L);
  }

  @Test
  void roundTrip_everyTargetAndFrameType() {
    for (Target t :
        List.of(
            Target.all(),
            Target.allExcept("n1-a"),
            Target.room("lobby"),
            Target.roomExcept("lobby", "n1-b"),
            Target.user("ada"),
            Target.connection("n2-c"),
            Target.connections(List.of("n2-c", "n2-d")))) {
      for (Message f :
          List.of(Message.text("héllo"), Message.binary(new byte[] {0, 1, 2, (byte) 255}))) {
        for (String epoch : List.of("", "k3v9x0aa1z")) {
          Envelope e = new Envelope("n1", 42, t, f, 7, epoch, 123456789L);

          Envelope back = EnvelopeCodec.decode(EnvelopeCodec.encode(e));

          assertThat(back).isEqualTo(e);
        }
      }
    }
  }

  @Test
  void numberedForm_fillsInTheNumberAndTheEpoch() {
    for (Message f : List.of(Message.text("héllo"), Message.binary(new byte[] {0, '\n', ' '}))) {
      Envelope draft = draft(Target.roomExcept("lobby", "n1-b"), f);

      Envelope back = EnvelopeCodec.decode(numbered("HN9007199254740993 a-b_c.D9\n", draft));

      assertThat(back).isEqualTo(draft.numbered(9007199254740993L, "a-b_c.D9"));
    }
    Envelope draft = draft(Target.room("r"), Message.text("x"));
    String longestEpoch = "e".repeat(64);
    assertThat(EnvelopeCodec.decode(numbered("HN1 " + longestEpoch + "\n", draft)))
        .isEqualTo(draft.numbered(1, longestEpoch));
  }

  @Test
  void numberedForm_malformed_isRefusedWithAReason() {
    Envelope draft = draft(Target.room("r"), Message.text("x"));
    for (String[] bad :
        new String[][] {
          {"HN 7 ep\n", "envelope number"},
          {"HN0 ep\n", "envelope number: 0"},
          {"HN12a ep\n", "envelope number"},
          {"HN" + "1".repeat(20) + " ep\n", "envelope number"},
          {"HN9223372036854775808 ep\n", "envelope number: above 9223372036854775807"},
          {"HN7 \n", "envelope epoch: empty"},
          {"HN7 e p\n", "envelope epoch"},
          {"HN7 épo\n", "envelope epoch"},
          {"HN7 " + "e".repeat(65) + "\n", "envelope epoch"},
        }) {
      byte[] bytes = numbered(bad[0], draft);
      assertThatThrownBy(() -> EnvelopeCodec.decode(bytes))
          .as(bad[0])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(bad[1]);
    }
    byte[] twice = numbered("HN7 ep\n", draft.numbered(3, "other"));
    assertThatThrownBy(() -> EnvelopeCodec.decode(twice))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("numbered envelope already numbered: other:3");
  }

  @Test
  void numberedForm_truncated_isRefused() {
    byte[] whole = numbered("HN12 epoch\n", draft(Target.room("r"), Message.text("xyz")));
    for (int length : new int[] {2, 4, 5, 8, 11, 13, whole.length - 1}) {
      byte[] cut = Arrays.copyOf(whole, length);
      assertThatThrownBy(() -> EnvelopeCodec.decode(cut))
          .as("first %d bytes", length)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> EnvelopeCodec.decode(Arrays.copyOf(whole, 4)))
        .hasMessage("truncated envelope number");
    assertThatThrownBy(() -> EnvelopeCodec.decode(Arrays.copyOf(whole, 8)))
        .hasMessage("truncated envelope epoch");
  }

  @Test
  void garbage_isRefusedWithAReason() {
    assertThatThrownBy(() -> EnvelopeCodec.decode("hello".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a hubcast envelope");
    assertThatThrownBy(() -> EnvelopeCodec.decode(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EnvelopeCodec.decode("HN7 ep\nhello".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a hubcast envelope");
  }

  @Test
  void otherVersion_isRefused() {
    byte[] b =
        EnvelopeCodec.encode(new Envelope("n1", 1, Target.all(), Message.text("x"), -1, "", 0));
    b[2] = 9;

    assertThatThrownBy(() -> EnvelopeCodec.decode(b))
        .hasMessageContaining("envelope version: 9 (expected: 2)");
  }

  @Test
  void versionOne_isRefused_saying_why() {
    byte[] b =
        EnvelopeCodec.encode(new Envelope("n1", 1, Target.all(), Message.text("x"), -1, "", 0));
    b[2] = 1;

    assertThatThrownBy(() -> EnvelopeCodec.decode(b))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "envelope version: 1 (expected: 2; version 1 is from a node without room epochs)");
  }

  @Test
  void truncated_isRefused() {
    byte[] b =
        EnvelopeCodec.encode(
            new Envelope("n1", 1, Target.room("r"), Message.text("xyz"), 3, "ep", 0));
    byte[] cut = Arrays.copyOf(b, b.length - 2);

    assertThatThrownBy(() -> EnvelopeCodec.decode(cut))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EnvelopeCodec.decode(Arrays.copyOf(b, 12)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EnvelopeCodec.decode(Arrays.copyOf(b, 33)))
        .as("cut inside the epoch")
        .isInstanceOf(IllegalArgumentException.class);
  }
}

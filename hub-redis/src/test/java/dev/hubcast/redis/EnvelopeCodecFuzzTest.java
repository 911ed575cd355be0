package dev.hubcast.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hubcast.core.backplane.Envelope;
import dev.hubcast.redis.internal.EnvelopeCodec;

/**
 * Fuzzes the envelope decoder, which reads whatever is published on the Redis channel (another
 * node, an older or newer version, or anyone with access to Redis): whatever the bytes, it either
 * yields an envelope that encodes back to the same envelope, or refuses them with an {@link
 * IllegalArgumentException}, which the backplane counts and skips. Never anything else.
 *
 * <p>On every build this replays the saved inputs under {@code
 * src/test/resources/dev/hubcast/redis/EnvelopeCodecFuzzTestInputs/}. To fuzz: {@code JAZZER_FUZZ=1
 * mvn -pl hub-redis test -Dtest=EnvelopeCodecFuzzTest}.
 */
class EnvelopeCodecFuzzTest {

  @FuzzTest(maxDuration = "2m")
  void decode_yieldsAnEnvelopeOrRefusesIt(byte[] input) {
    Envelope e;
    try {
      e = EnvelopeCodec.decode(input);
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).isNotBlank();
      return;
    }
    assertThat(EnvelopeCodec.decode(EnvelopeCodec.encode(e))).isEqualTo(e);
  }
}

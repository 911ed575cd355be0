package dev.hubcast.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hubcast.core.internal.PresenceSignals.Signal;

/**
 * Fuzzes the presence signal decoder, which reads what any node (or anyone who can publish on the
 * backplane) sends: whatever the bytes, it either yields a signal that encodes back to the same
 * signal, or refuses them with an {@link IllegalArgumentException} naming why. Never anything else,
 * and never a count it allocates for beyond the bytes given.
 *
 * <p>On every build this replays the saved inputs under {@code
 * src/test/resources/dev/hubcast/core/internal/PresenceSignalsFuzzTestInputs/}. To fuzz: {@code
 * JAZZER_FUZZ=1 mvn -pl hub-core test -Dtest=PresenceSignalsFuzzTest}.
 */
class PresenceSignalsFuzzTest {

  @FuzzTest(maxDuration = "2m")
  void decode_yieldsASignalOrRefusesIt(byte[] input) {
    Signal s;
    try {
      s = PresenceSignals.decode(input);
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).startsWith("presence signal");
      return;
    }
    assertThat(PresenceSignals.decode(PresenceSignals.encode(s))).isEqualTo(s);
  }
}

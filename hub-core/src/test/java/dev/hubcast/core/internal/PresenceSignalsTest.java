package dev.hubcast.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hubcast.core.internal.PresenceSignals.Change;
import dev.hubcast.core.internal.PresenceSignals.Kind;
import dev.hubcast.core.internal.PresenceSignals.Signal;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Presence signals come from the network: they round-trip, and anything else is refused. */
class PresenceSignalsTest {

  @Test
  void everyKind_roundTrips() {
    List<Change> changes =
        List.of(
            new Change(true, "lobby", "ada", "n1-1", "{\"tab\":1}"),
            new Change(false, "dev ✓", "bob", "n1-2", ""));
    for (Kind kind : Kind.values()) {
      Signal s = new Signal(kind, "n1", 42, kind == Kind.SYNC_REQUEST ? "n2" : null, changes);
      assertThat(PresenceSignals.decode(PresenceSignals.encode(s))).isEqualTo(s);
    }
  }

  @Test
  void bytesThatAreNoSignal_areRefusedNamingWhy() {
    byte[] good =
        PresenceSignals.encode(
            new Signal(Kind.STATE, "n1", 1, null, List.of(new Change(true, "r", "u", "c", ""))));

    assertThatThrownBy(() -> PresenceSignals.decode(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cut short");
    assertThatThrownBy(() -> PresenceSignals.decode(new byte[] {9}))
        .hasMessage("presence signal version 9 (expected: 1)");
    assertThatThrownBy(() -> PresenceSignals.decode(new byte[] {1, 7}))
        .hasMessage("presence signal kind 7");
    assertThatThrownBy(() -> PresenceSignals.decode(Arrays.copyOf(good, good.length - 1)))
        .hasMessageContaining("cut short");
    assertThatThrownBy(() -> PresenceSignals.decode(Arrays.copyOf(good, good.length + 2)))
        .hasMessage("presence signal with 2 bytes left over");
    byte[] lying = good.clone();
    int count = 2 + 4 + 8 + 2; // version, kind, "n1", seq, "" target
    lying[count] = 0x7f; // a change count far beyond the bytes
    assertThatThrownBy(() -> PresenceSignals.decode(lying)).hasMessageContaining("changes");
  }
}

package dev.hubcast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.hubcast.core.spi.Acceptor;
import dev.hubcast.core.spi.Admission;
import dev.hubcast.core.spi.Connection;
import dev.hubcast.core.spi.SendCompletion;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An adapter that breaks its contract (a {@code send} or {@code close} that throws) cannot be built
 * from a real transport, so it is mocked: the hub contains it and the others go on.
 */
class MisbehavingTransportTest {

  @Test
  void sendThatThrows_isAFailedSend_andClosesOnlyThatConnection() {
    Hub<String> hub = Hub.create(HubConfig.textBuilder().build());
    Admission admission =
        Acceptor.of(hub).admit(FakeConnection.handshake("127.0.0.1", "", Map.of()));
    Connection broken = mock(Connection.class);
    when(broken.id()).thenReturn(admission.connectionId());
    when(broken.handshake()).thenReturn(admission.handshake());
    when(broken.remoteAddress()).thenReturn(admission.handshake().remoteAddress());
    doThrow(new IllegalStateException("adapter bug"))
        .when(broken)
        .send(any(Message.class), any(SendCompletion.class));
    doThrow(new IllegalStateException("adapter bug on close"))
        .when(broken)
        .close(anyInt(), anyString());
    Acceptor.of(hub).open(broken);
    FakeConnection healthy = FakeConnection.open(hub, "127.0.0.1", "");

    BroadcastReceipt receipt = hub.broadcast(Target.all(), "x");

    assertThat(receipt.queued()).isEqualTo(2);
    assertThat(healthy.texts()).containsExactly("x");
    assertThat(hub.client(admission.connectionId())).isEmpty();
    assertThat(hub.metrics().sendFailures()).isEqualTo(1);
    assertThat(hub.metrics().pendingFrames()).isZero();
    verify(broken, times(1)).close(CloseCodes.INTERNAL_ERROR, "send failed");
    hub.shutdown(Duration.ZERO);
  }
}

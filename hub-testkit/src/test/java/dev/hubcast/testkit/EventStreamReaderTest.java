package dev.hubcast.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

class EventStreamReaderTest {

  private final List<String> seen = new ArrayList<>();
  private final List<Throwable> ends = new ArrayList<>();
  private long requested;
  private final EventStreamReader reader =
      new EventStreamReader(
          new EventStreamReader.Listener() {
            @Override
            public void onEvent(String type, String data, String id) {
              seen.add(type + "|" + data + "|" + id);
            }

            @Override
            public void onEnd(Throwable failure) {
              ends.add(failure);
            }
          });

  private void subscribe() {
    reader.onSubscribe(
        new Flow.Subscription() {
          @Override
          public void request(long n) {
            requested += n;
          }

          @Override
          public void cancel() {}
        });
  }

  private void feed(String... pieces) {
    List<ByteBuffer> items = new ArrayList<>();
    for (String p : pieces) {
      items.add(ByteBuffer.wrap(p.getBytes(StandardCharsets.UTF_8)));
    }
    reader.onNext(items);
  }

  @Test
  void readsEventsAsEventSourceDoes_acrossPieces_andWithCrLf() {
    subscribe();
    feed(": heartbeat\n\nevent: hubcast-open\ndata: tok", "en\n\n");
    feed("id: 1:2:room\r\ndata: a\r\ndata:b\r\n\r\n", "data: ü\n\n");
    feed("id: 9\n\n"); // no data: not dispatched, but the id is the last one

    assertThat(seen).containsExactly("hubcast-open|token|null", "|a\nb|1:2:room", "|ü|null");
    assertThat(reader.lastEventId()).isEqualTo("9");
    reader.onComplete();
    assertThat(ends).containsExactly((Throwable) null);
  }

  @Test
  void paused_itAsksForNothingMore_untilResumed() {
    subscribe();
    assertThat(requested).isEqualTo(1);
    feed("data: x\n\n");
    assertThat(requested).isEqualTo(2);

    reader.pause();
    feed("data: y\n\n");
    assertThat(requested).isEqualTo(2);
    reader.resume();
    assertThat(requested).isEqualTo(3);
    assertThat(seen).containsExactly("|x|null", "|y|null");
  }
}

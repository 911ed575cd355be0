package dev.hubcast.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpRequestsTest {

  @Test
  void target_splitsOriginAndAbsoluteForms_andDropsTheFragment() {
    assertThat(HttpRequests.target("/ws")).isEqualTo(new HttpRequests.Target("/ws", ""));
    assertThat(HttpRequests.target("/ws?room=a&x=%20"))
        .isEqualTo(new HttpRequests.Target("/ws", "room=a&x=%20"));
    assertThat(HttpRequests.target("http://host:8080/ws?room=a#top"))
        .isEqualTo(new HttpRequests.Target("/ws", "room=a"));
    assertThat(HttpRequests.target("http://host")).isEqualTo(new HttpRequests.Target("/", ""));
    // "://" inside the query of an origin-form target is not a scheme
    assertThat(HttpRequests.target("/ws?next=http://x/y"))
        .isEqualTo(new HttpRequests.Target("/ws", "next=http://x/y"));
    assertThatNullPointerException().isThrownBy(() -> HttpRequests.target(null));
  }

  @Test
  void headers_keepEveryValueInOrder() {
    HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/ws");
    request.headers().add("Origin", "https://a.example").add("X-Tag", "1").add("X-Tag", "2");

    assertThat(HttpRequests.headers(request))
        .containsEntry("Origin", List.of("https://a.example"))
        .containsEntry("X-Tag", List.of("1", "2"));
  }

  @Test
  void remoteAddress_ofAChannelNotOnIp_isNamedAfterIt() {
    EmbeddedChannel channel = new EmbeddedChannel();
    assertThat(HttpRequests.remoteAddress(channel).getPort()).isZero();
    assertThat(HttpRequests.remoteAddress(channel).getHostString()).isEqualTo("embedded");
    channel.finishAndReleaseAll();
  }
}

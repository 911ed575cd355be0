package dev.hubcast.redis;

import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import io.lettuce.core.RedisClient;
import java.time.Duration;

/** The README's hub-redis snippet, kept compiling. */
final class ReadmeSnippets {
  private ReadmeSnippets() {}

  /** README: "Several nodes". */
  static Hub<String> clusteredHub() {
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder()
                .backplane(() -> RedisBackplane.create("redis://127.0.0.1:6379"))
                .build());
    return hub;
  }

  /** README: "Several nodes", with a history in Redis Streams. */
  static Hub<String> hubWithHistory() {
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder()
                .historySize(100) // the last 100 in memory too
                .backplane(
                    () ->
                        RedisBackplane.builder("redis://127.0.0.1:6379")
                            .history(100) // each room's last 100 in a Redis stream
                            .historyAge(Duration.ofHours(1)) // and none older than an hour
                            .build())
                .build());
    return hub;
  }

  /** README: "Several nodes", one Lettuce client shared by the backplane and the application. */
  static void sharedClient() throws Exception {
    RedisClient redis = RedisBackplane.newClient("redis://127.0.0.1:6379");
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder()
                .backplane(
                    () -> RedisBackplane.builder("redis://127.0.0.1:6379").client(redis).build())
                .build());
    // ... and when the application stops:
    hub.shutdown(Duration.ofSeconds(2)).get(); // closes the backplane
    redis.shutdown(); // then the client
  }
}

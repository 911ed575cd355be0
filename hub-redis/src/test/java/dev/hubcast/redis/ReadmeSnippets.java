package dev.hubcast.redis;

import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import io.lettuce.core.RedisClient;
import java.time.Duration;

/** The hub-redis snippets of docs/redis.md, kept compiling. */
final class ReadmeSnippets {
  private ReadmeSnippets() {}

  /** docs/redis.md: "A Redis backplane". */
  static Hub<String> clusteredHub() {
    Hub<String> hub =
        Hub.create(
            HubConfig.textBuilder()
                .backplane(() -> RedisBackplane.create("redis://127.0.0.1:6379"))
                .build());
    return hub;
  }

  /** docs/redis.md: "Room history in Redis Streams". */
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

  /** docs/redis.md: "One Lettuce client for the application and the hub". */
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

  /** docs/redis.md: "TLS and a password". */
  static RedisBackplane overTls(String password) {
    return RedisBackplane.builder("rediss://:" + password + "@redis.internal:6380")
        .trustedCertificates(java.nio.file.Path.of("/etc/hubcast/redis-ca.pem"))
        .build();
  }
}

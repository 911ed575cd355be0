package dev.hubcast.redis;

import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;

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
}

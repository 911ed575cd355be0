package dev.hubcast.spring;

import dev.hubcast.testkit.JdkWebSocketClient;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** Connects the JDK's WebSocket client to a test application on 127.0.0.1. */
final class Sockets {

  /** How long a test waits for one message, close or condition. */
  static final Duration WAIT = Duration.ofSeconds(10);

  private Sockets() {}

  static URI uri(int port, String path) {
    return URI.create("ws://127.0.0.1:" + port + path);
  }

  static JdkWebSocketClient connect(int port, String path) {
    return JdkWebSocketClient.connect(uri(port, path));
  }

  static JdkWebSocketClient connect(int port, String path, Map<String, String> headers) {
    return JdkWebSocketClient.connect(uri(port, path), headers);
  }
}

package dev.hubcast.jetty;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

/**
 * The code of hub-jetty's README snippets, kept compiling and run by {@link ReadmeSnippetsTest}.
 */
final class ReadmeSnippets {

  private ReadmeSnippets() {}

  /** README: "Your own Jetty server". */
  static Server ownServer(Hub<String> hub, int port, Handler myOtherHandlers) throws Exception {
    // --- snippet: own-server
    Server server = new Server(port);
    WebSocketUpgradeHandler ws = HubWebSocket.handler(hub, "/chat");
    ws.setHandler(myOtherHandlers); // every request that is not a WebSocket upgrade to /chat
    server.setHandler(ws);
    server.start();
    // --- end
    return server;
  }

  /** README: "Your own WebSocketUpgradeHandler". */
  static WebSocketUpgradeHandler ownUpgradeHandler(Hub<String> hub) {
    // --- snippet: own-mapping
    WebSocketUpgradeHandler upgrades = new WebSocketUpgradeHandler();
    upgrades.addMapping("/chat", HubWebSocket.negotiator(hub));
    // --- end
    return upgrades;
  }

  /** README: "No server yet". */
  static JettyHubServer embedded(int port) throws Exception {
    // --- snippet: embedded
    Hub<String> hub =
        Hub.create(HubConfig.textBuilder().policy(BroadcastPolicy.ALL_EXCEPT_SENDER).build());
    JettyHubServer server =
        JettyHubServer.builder(hub)
            .host("127.0.0.1")
            .port(port) // 0: any free port; server.port() tells which
            .path("/chat")
            .staticResources("/public") // index.html and friends, from the classpath
            .start();
    // ... later: hub.close(); server.close();
    // --- end
    return server;
  }

  /** docs/transports.md: "TLS (wss://)". */
  static JettyHubServer tls(Hub<String> hub, java.nio.file.Path p12, char[] password) {
    // --- snippet: tls
    return JettyHubServer.builder(hub)
        .port(0)
        .tls(dev.hubcast.core.spi.TlsIdentity.pkcs12(p12, password))
        .start();
  }
}

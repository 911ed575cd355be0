package dev.hubcast.examples;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.jetty.JettyHubServer;

/**
 * Every text message a client sends goes to every connected client, the sender included; a client
 * that disconnects is removed by the hub. Jetty, WebSocket at {@code /ws}; the port is the first
 * argument (default 8080).
 *
 * <p>Threading: {@code main} starts the server and returns; Jetty's threads keep the program alive.
 */
public final class BroadcastAll {
  private BroadcastAll() {}

  public static void main(String[] args) throws Exception {
    start("localhost", args.length > 0 ? Integer.parseInt(args[0]) : 8080);
  }

  static JettyHubServer start(String host, int port) throws Exception {
    Hub<String> hub = Hub.create(HubConfig.textBuilder().policy(BroadcastPolicy.ALL).build());
    JettyHubServer server = JettyHubServer.builder(hub).host(host).port(port).path("/ws").start();
    System.out.println("BroadcastAll: " + server.uri());
    return server;
  }
}

package dev.hubcast.examples;

import dev.hubcast.core.Client;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.core.HubHandler;
import dev.hubcast.core.Target;
import dev.hubcast.netty.NettyHubServer;

/**
 * Relays every text message to every client, and sends each newly connected client the last 10
 * messages first. Everyone is in one room, {@code "all"}, whose history the hub keeps. Netty,
 * WebSocket at {@code /ws}; the port is the first argument (default 8080).
 *
 * <p>Threading: {@code main} starts the server and returns; Netty's threads keep the program alive.
 * The handler runs on Netty's I/O threads and never blocks.
 */
public final class LastTen {
  private LastTen() {}

  public static void main(String[] args) throws Exception {
    start("localhost", args.length > 0 ? Integer.parseInt(args[0]) : 8080);
  }

  static NettyHubServer start(String host, int port) throws Exception {
    HubHandler<String> lastTen =
        new HubHandler<>() {
          @Override
          public void onOpen(Hub<String> hub, Client client) {
            hub.joinAndReplay(client.id(), "all", 0); // the last 10 messages first
          }

          @Override
          public void onMessage(Hub<String> hub, Client client, String text) {
            hub.broadcast(Target.room("all"), text);
          }
        };
    Hub<String> hub = Hub.create(HubConfig.textBuilder().handler(lastTen).historySize(10).build());
    NettyHubServer server = NettyHubServer.builder(hub).host(host).port(port).path("/ws").start();
    System.out.println("LastTen: ws://" + host + ":" + server.port() + "/ws");
    return server;
  }
}

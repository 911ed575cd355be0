package dev.hubcast.examples;

import dev.hubcast.core.BroadcastPolicy;
import dev.hubcast.core.Hub;
import dev.hubcast.core.HubConfig;
import dev.hubcast.netty.NettyHubServer;

/**
 * Every text message a client sends goes to every other connected client, not back to the sender; a
 * client that disconnects is removed by the hub. Netty, WebSocket at {@code /ws}; the port is the
 * first argument (default 8080).
 *
 * <p>Threading: {@code main} starts the server and returns; Netty's threads keep the program alive.
 */
public final class BroadcastOthers {
  private BroadcastOthers() {}

  public static void main(String[] args) throws Exception {
    start("localhost", args.length > 0 ? Integer.parseInt(args[0]) : 8080);
  }

  static NettyHubServer start(String host, int port) throws Exception {
    Hub<String> hub =
        Hub.create(HubConfig.textBuilder().policy(BroadcastPolicy.ALL_EXCEPT_SENDER).build());
    NettyHubServer server = NettyHubServer.builder(hub).host(host).port(port).path("/ws").start();
    System.out.println("BroadcastOthers: ws://" + host + ":" + server.port() + "/ws");
    return server;
  }
}

package dev.hubcast.jetty.autobahn;

import dev.hubcast.jetty.HubWebSocket;
import dev.hubcast.testkit.autobahn.AutobahnEcho;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

/**
 * The application the Autobahn TestSuite checks: a hub of raw frames whose handler sends each
 * client message back to its sender as it is (text as text, binary as binary), over hub-jetty.
 * Every other behaviour Autobahn probes (pings, fragments, UTF-8, close codes, protocol errors) is
 * the adapter's.
 *
 * <p>The Maven plugin calls {@link #main} with the port in its own JVM; the server listens on
 * {@code 127.0.0.1} with daemon threads, so it ends with the build.
 */
public final class AutobahnEchoServer {

  private AutobahnEchoServer() {}

  /**
   * Starts the echo server.
   *
   * @param args the port
   */
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("autobahn-echo");
    threads.setDaemon(true);
    Server server = new Server(threads);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    WebSocketUpgradeHandler ws = HubWebSocket.handler(AutobahnEcho.hub(), "/");
    server.setHandler(ws);
    server.start();
    System.out.println("Autobahn echo server on ws://127.0.0.1:" + port + "/");
  }
}

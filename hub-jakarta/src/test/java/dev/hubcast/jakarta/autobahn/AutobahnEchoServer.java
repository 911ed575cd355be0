package dev.hubcast.jakarta.autobahn;

import dev.hubcast.jakarta.JakartaHub;
import dev.hubcast.testkit.autobahn.AutobahnEcho;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;

/**
 * The application the Autobahn TestSuite checks: a hub of raw frames whose handler sends each
 * client message back to its sender as it is (text as text, binary as binary), over hub-jakarta on
 * embedded Tomcat 11. Every other behaviour Autobahn probes (pings, fragments, UTF-8, close codes,
 * protocol errors) is the adapter's and Tomcat's.
 *
 * <p>The Maven plugin calls {@link #main} with the port in its own JVM; the server listens on
 * {@code 127.0.0.1} and ends with the build.
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
    File base = Files.createTempDirectory("hubcast-autobahn-tomcat").toFile();
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.getAbsolutePath());
    Connector connector = new Connector();
    connector.setPort(port);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", base.getAbsolutePath());
    // The plugin runs this in a class realm of its own: the context's loader must delegate there
    // (the system class loader has no Tomcat, so the API's ServiceLoader finds no configurator).
    context.setParentClassLoader(AutobahnEchoServer.class.getClassLoader());
    // -Dhubcast.autobahn.upgrade=true: the hub on the servlet HTTP upgrade (its own framing).
    boolean upgrade = Boolean.getBoolean("hubcast.autobahn.upgrade");
    // A servlet for the mapper to find: the filters (the hub's admission, Tomcat's upgrade) run in
    // front of it; what they pass on is not an upgrade to the hub, and gets 404.
    if (!upgrade) {
      Tomcat.addServlet(
          context,
          "none",
          new HttpServlet() {
            @Override
            protected void service(HttpServletRequest req, HttpServletResponse resp)
                throws IOException {
              resp.sendError(404);
            }
          });
      context.addServletMappingDecoded("/", "none");
    }
    if (!upgrade) {
      context.addServletContainerInitializer(new WsSci(), null);
    }
    context.addServletContainerInitializer(
        (classes, servletContext) -> {
          if (upgrade) {
            JakartaHub.installUpgrade(servletContext, AutobahnEcho.hub(), "/");
          } else {
            JakartaHub.install(servletContext, AutobahnEcho.hub(), "/");
          }
        },
        null);
    tomcat.start();
    System.out.println("Autobahn echo server on ws://127.0.0.1:" + port + "/");
  }
}

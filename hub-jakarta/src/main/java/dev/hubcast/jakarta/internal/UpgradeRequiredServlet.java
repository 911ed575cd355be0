package dev.hubcast.jakarta.internal;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Mapped at the hub's path so that the container runs its filter chain there: Tomcat runs filters
 * only for a request some servlet is mapped to, and an application may map none (Spring Boot
 * without a {@code DispatcherServlet}): the admission filter and Tomcat's upgrade filter would
 * never see the handshake (404). Upgrades never reach it (the filters take them); a plain HTTP
 * request does, and is answered 426 Upgrade Required. Thread-safe and stateless.
 */
final class UpgradeRequiredServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    response.setHeader("Upgrade", "websocket");
    response.setHeader("Connection", "Upgrade");
    response.setContentType("text/plain;charset=UTF-8");
    response.setStatus(426);
    response.getWriter().write("426 Upgrade Required: this path serves WebSocket connections");
  }
}

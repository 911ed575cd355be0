package dev.hubcast.spring;

import jakarta.servlet.ServletContext;

/**
 * Starts a container's Jakarta WebSocket support in a servlet context that does not have it yet, so
 * that the hub can be installed from Spring Boot's {@code ServletContextInitializer}, which Spring
 * Boot runs before the container's own WebSocket set-up. Implementations are thread-safe and
 * idempotent: the container's later set-up finds the support started and keeps it.
 */
@FunctionalInterface
interface WebSocketSupport {

  /** Starts WebSocket support in {@code context} unless it has started. */
  void ensureStarted(ServletContext context);
}

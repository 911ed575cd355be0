package dev.hubcast.jakarta;

/**
 * A hub installed in a servlet container by {@link JakartaHub#install}: where it listens, and how
 * to stop it. Thread-safe: every method may be called from any thread.
 *
 * <p>The container owns the endpoint (the Jakarta API cannot remove one once deployed): after
 * {@link #close()}, upgrade requests to {@link #path()} are refused with 503, and the connections
 * still open are closed with 1001 (going away).
 */
public interface JakartaHubEndpoint extends AutoCloseable {

  /** The path the hub is installed at, relative to the servlet context, such as {@code "/ws"}. */
  String path();

  /** How many connections of this endpoint are open now. */
  int openConnections();

  /**
   * Stops admitting upgrades (503), closes every open connection with 1001 and stops the endpoint's
   * timers. Idempotent; never blocks on the network. Shutting the hub down ({@code Hub.shutdown})
   * closes the connections as well; this is for an endpoint that outlives its use while the
   * container runs on.
   */
  @Override
  void close();
}

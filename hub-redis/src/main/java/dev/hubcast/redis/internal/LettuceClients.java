package dev.hubcast.redis.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one Lettuce set-up of Hubcast's Redis clients (behind {@code RedisBackplane.newClient}): the
 * reconnect policy, commands rejected while disconnected, the timeouts. Stateless and thread-safe.
 */
public final class LettuceClients {
  private LettuceClients() {}

  /**
   * A client for {@code uri} that reconnects after 50 ms, then at most 1 s apart (equal jitter),
   * rejects commands at once while disconnected, and fails a command or a connection attempt after
   * {@code timeout}. Its shutdown also ends the threads it made for its reconnect policy.
   */
  public static RedisClient create(RedisURI uri, Duration timeout) {
    return create(uri, timeout, null);
  }

  /**
   * As {@link #create(RedisURI, Duration)}; for a {@code rediss://} URI, the server's certificate
   * is checked against {@code trustedCertificates} (PEM) when given, else against the JDK's trust
   * store.
   */
  public static RedisClient create(RedisURI uri, Duration timeout, Path trustedCertificates) {
    uri.setTimeout(timeout);
    ClientResources resources =
        ClientResources.builder()
            .reconnectDelay(
                Delay.equalJitter(
                    Duration.ofMillis(50), Duration.ofMillis(1000), 2, TimeUnit.MILLISECONDS))
            .build();
    RedisClient client = new OwnResourcesClient(resources, uri);
    ClientOptions.Builder options = ClientOptions.builder();
    if (trustedCertificates != null) {
      options.sslOptions(
          SslOptions.builder().jdkSslProvider().trustManager(trustedCertificates.toFile()).build());
    }
    client.setOptions(
        options
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
            .build());
    return client;
  }

  /**
   * A client that owns the resources it was given, as one made by {@link RedisClient#create(
   * RedisURI)} owns its default ones: its shutdown ends them, once its connections are closed.
   * Lettuce leaves resources passed in alone, and only resources carry the reconnect delay.
   */
  private static final class OwnResourcesClient extends RedisClient {
    private final ClientResources resources;

    OwnResourcesClient(ClientResources resources, RedisURI uri) {
      super(resources, uri);
      this.resources = resources;
    }

    @Override
    public CompletableFuture<Void> shutdownAsync(long quietPeriod, long timeout, TimeUnit unit) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      super.shutdownAsync(quietPeriod, timeout, unit)
          .whenComplete(
              (ok, failure) ->
                  resources
                      .shutdown(quietPeriod, timeout, unit)
                      .addListener(
                          ended -> {
                            if (failure != null) {
                              done.completeExceptionally(failure);
                            } else {
                              done.complete(null);
                            }
                          }));
      return done;
    }
  }
}

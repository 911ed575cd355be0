package dev.hubcast.sse.internal;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open event streams of one endpoint, by their tokens. A token is 128 random bits from a {@link
 * SecureRandom}, so it cannot be guessed; it is not the connection id, which is predictable.
 *
 * <p>Thread-safe.
 */
public final class StreamRegistry {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int TOKEN_BYTES = 16;

  private final ConcurrentHashMap<String, SseConnection> streams = new ConcurrentHashMap<>();

  /** A new, unguessable token (22 URL-safe base64 characters). */
  static String newToken() {
    byte[] bytes = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  void add(SseConnection stream) {
    streams.put(stream.token(), stream);
  }

  void remove(SseConnection stream) {
    streams.remove(stream.token(), stream);
  }

  Optional<SseConnection> byToken(String token) {
    return Optional.ofNullable(streams.get(token));
  }

  /** How many streams are open. */
  public int size() {
    return streams.size();
  }
}

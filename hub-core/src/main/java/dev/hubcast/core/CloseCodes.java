package dev.hubcast.core;

/**
 * The WebSocket close codes (RFC 6455, section 7.4.1) that the hub and its adapters use.
 *
 * <p>Constants only; thread-safe.
 */
public final class CloseCodes {
  /** 1000: the purpose of the connection is fulfilled. */
  public static final int NORMAL = 1000;

  /** 1001: the server is shutting down, or the client navigated away. */
  public static final int GOING_AWAY = 1001;

  /** 1002: the peer broke the WebSocket protocol. */
  public static final int PROTOCOL_ERROR = 1002;

  /** 1003: a kind of data the endpoint cannot accept (binary to a text-only codec). */
  public static final int UNSUPPORTED_DATA = 1003;

  /** 1005: no status code was present in the close frame (reported, never sent). */
  public static final int NO_STATUS = 1005;

  /** 1006: the connection ended without a close frame (reported, never sent). */
  public static final int ABNORMAL = 1006;

  /** 1007: a message's data was inconsistent with its type (text that is not UTF-8). */
  public static final int INVALID_PAYLOAD = 1007;

  /** 1008: a policy was violated (slow consumer, rate limit, refused message). */
  public static final int POLICY_VIOLATION = 1008;

  /** 1009: a message was larger than the limit. */
  public static final int MESSAGE_TOO_BIG = 1009;

  /** 1011: the server met an unexpected condition (an application handler threw). */
  public static final int INTERNAL_ERROR = 1011;

  /** 1013: try again later (the server is overloaded). */
  public static final int TRY_AGAIN_LATER = 1013;

  private CloseCodes() {}

  /**
   * Whether {@code code} may be sent in a close frame: 1000-1003, 1007-1011, 1012-1014 and the
   * registered and private ranges 3000-4999.
   */
  public static boolean isSendable(int code) {
    return (code >= 1000 && code <= 1003)
        || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
  }

  /**
   * Returns {@code code} if it may be sent on the wire, else throws.
   *
   * @throws IllegalArgumentException naming {@code name} and the code
   */
  public static int requireSendable(int code, String name) {
    if (!isSendable(code)) {
      throw new IllegalArgumentException(
          name + ": " + code + " (expected: 1000-1003, 1007-1014 or 3000-4999)");
    }
    return code;
  }

  /**
   * Whether a close code received from a peer is valid (RFC 6455, section 7.4): the same codes as
   * {@link #isSendable}. A peer that sends another code broke the protocol (answer 1002).
   */
  public static boolean isValidFromPeer(int code) {
    return isSendable(code);
  }

  /** {@code code} if it may be sent on the wire, else {@code fallback}. */
  public static int sendableOr(int code, int fallback) {
    return isSendable(code) ? code : fallback;
  }

  /** The largest close reason in UTF-8 bytes: a control frame's 125 less the 2-byte code. */
  public static final int MAX_REASON_BYTES = 123;

  /**
   * A close reason as UTF-8, cut to at most {@link #MAX_REASON_BYTES} bytes without splitting a
   * character; {@code null} is the empty reason.
   */
  public static byte[] reasonBytes(String reason) {
    if (reason == null || reason.isEmpty()) {
      return new byte[0];
    }
    byte[] bytes = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (bytes.length <= MAX_REASON_BYTES) {
      return bytes;
    }
    int end = MAX_REASON_BYTES;
    while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
      end--; // back off a continuation byte: never split a character
    }
    return java.util.Arrays.copyOf(bytes, end);
  }

  /**
   * The reason that goes with {@link #MESSAGE_TOO_BIG}, in the same words on every transport:
   * {@code "message over N bytes"}.
   */
  public static String tooBigReason(int maxMessageBytes) {
    return "message over " + maxMessageBytes + " bytes";
  }

  /** {@link #reasonBytes} as a string. */
  public static String truncateReason(String reason) {
    return new String(reasonBytes(reason), java.nio.charset.StandardCharsets.UTF_8);
  }
}

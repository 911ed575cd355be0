package dev.hubcast.bench;

import io.netty.buffer.ByteBuf;

/**
 * Where a load-generator connection hands the messages it reads, whatever its transport ({@link
 * WsClientHandler}, {@link SseClientHandler}). Called on the connection's event loop.
 */
interface MessageSink {
  /**
   * One whole message: its bytes are {@code in[at, at + length)}, valid during the call; {@code
   * receivedNanos} is {@code System.nanoTime()} at the socket read that brought its last byte.
   */
  void onMessage(ByteBuf in, int at, int length, long receivedNanos);

  /** The connection is gone; {@code code} is the server's close code, or 1006. */
  default void onClosed(int code) {}
}

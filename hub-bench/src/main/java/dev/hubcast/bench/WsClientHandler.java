package dev.hubcast.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A minimal WebSocket client connection (RFC 6455): it sends the upgrade request, checks the 101
 * answer, then reads server frames in place from Netty's buffers (no frame objects, no payload
 * copies for whole messages), answers pings and closes, and hands each data message to a {@link
 * MessageSink}. A load generator must cost far less than the servers it measures; this is why it
 * does not use Netty's general WebSocket codec.
 *
 * <p>Confined to its channel's event loop.
 */
final class WsClientHandler extends ByteToMessageDecoder {

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final byte[] END_OF_HEADERS = {'\r', '\n', '\r', '\n'};
  private static final int MAX_RESPONSE_HEAD = 8192;
  private static final int MAX_MESSAGE = 1 << 20;

  private final URI url;
  private final MessageSink sink;
  private final ChannelPromise upgraded;
  private final String key;
  private boolean open;
  private boolean closed;
  private int closeCode = 1006;
  private long receivedNanos;

  // A fragmented message being joined (rare: servers send small messages whole).
  private byte[] fragments;
  private int fragmentLength;

  WsClientHandler(URI url, MessageSink sink, ChannelPromise upgraded) {
    this.url = url;
    this.sink = sink;
    this.upgraded = upgraded;
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    this.key = Base64.getEncoder().encodeToString(nonce);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    if (url.getRawQuery() != null) {
      path += "?" + url.getRawQuery();
    }
    int port = url.getPort() < 0 ? 80 : url.getPort();
    String request =
        "GET "
            + path
            + " HTTP/1.1\r\n"
            + "Host: "
            + url.getHost()
            + ":"
            + port
            + "\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Key: "
            + key
            + "\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n";
    ctx.writeAndFlush(Unpooled.wrappedBuffer(request.getBytes(StandardCharsets.US_ASCII)));
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    receivedNanos = System.nanoTime(); // once per read: every message in it arrived by now
    super.channelRead(ctx, msg);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (!open) {
      if (!readHandshake(ctx, in)) {
        return;
      }
    }
    while (!closed && in.readableBytes() >= 2) {
      int start = in.readerIndex();
      int b0 = in.getUnsignedByte(start);
      int b1 = in.getUnsignedByte(start + 1);
      boolean fin = (b0 & 0x80) != 0;
      int opcode = b0 & 0x0F;
      boolean masked = (b1 & 0x80) != 0;
      int len7 = b1 & 0x7F;
      int header = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
      if (in.readableBytes() < header) {
        return;
      }
      long length =
          len7 == 126 ? in.getUnsignedShort(start + 2) : len7 == 127 ? in.getLong(start + 2) : len7;
      if (length > MAX_MESSAGE) {
        fail(ctx, "frame of " + length + " bytes");
        return;
      }
      if (in.readableBytes() < header + length) {
        return; // the rest arrives in a later read
      }
      int at = start + header;
      int n = (int) length;
      if (masked) {
        unmask(in, at, n, in.getInt(at - 4));
      }
      onFrame(ctx, in, fin, opcode, at, n);
      in.readerIndex(at + n);
    }
  }

  private void onFrame(
      ChannelHandlerContext ctx, ByteBuf in, boolean fin, int opcode, int at, int n) {
    switch (opcode) {
      case 0x1, 0x2 -> {
        if (fin) {
          sink.onMessage(in, at, n, receivedNanos);
        } else {
          fragmentLength = 0;
          append(in, at, n);
        }
      }
      case 0x0 -> {
        if (fragments == null) {
          fail(ctx, "continuation outside a message");
          return;
        }
        append(in, at, n);
        if (fin) {
          ByteBuf whole = Unpooled.wrappedBuffer(fragments, 0, fragmentLength);
          fragments = null;
          sink.onMessage(whole, 0, whole.readableBytes(), receivedNanos);
        }
      }
      case 0x8 -> {
        closeCode = n >= 2 ? in.getUnsignedShort(at) : 1005;
        closed = true;
        ByteBuf answer = ctx.alloc().buffer(8);
        writeClientFrame(answer, 0x8, in, at, Math.min(n, 2));
        ctx.writeAndFlush(answer).addListener(f -> ctx.close());
      }
      case 0x9 -> {
        ByteBuf pong = ctx.alloc().buffer(6 + n);
        writeClientFrame(pong, 0xA, in, at, n);
        ctx.writeAndFlush(pong, ctx.voidPromise());
      }
      case 0xA -> {
        // a pong: nothing to do
      }
      default -> fail(ctx, "unknown opcode " + opcode);
    }
  }

  private void append(ByteBuf in, int at, int n) {
    if (fragments == null || fragments.length < fragmentLength + n) {
      byte[] bigger = new byte[Math.max(256, Math.max(fragmentLength + n, fragmentLength * 2))];
      if (fragments != null) {
        System.arraycopy(fragments, 0, bigger, 0, fragmentLength);
      }
      fragments = bigger;
    }
    in.getBytes(at, fragments, fragmentLength, n);
    fragmentLength += n;
  }

  private static void unmask(ByteBuf in, int at, int n, int mask) {
    for (int i = 0; i < n; i++) {
      int shift = 24 - 8 * (i & 3);
      in.setByte(at + i, in.getByte(at + i) ^ (mask >>> shift));
    }
  }

  /** Writes one masked client frame, FIN set, carrying {@code in[at, at + n)}. */
  static void writeClientFrame(ByteBuf out, int opcode, ByteBuf in, int at, int n) {
    writeClientHeader(out, opcode, n);
    int mask = out.getInt(out.writerIndex() - 4);
    for (int i = 0; i < n; i++) {
      int shift = 24 - 8 * (i & 3);
      out.writeByte(in.getByte(at + i) ^ (mask >>> shift));
    }
  }

  /** Writes a masked client frame header for a payload of {@code n} bytes, mask key included. */
  static void writeClientHeader(ByteBuf out, int opcode, int n) {
    out.writeByte(0x80 | opcode);
    if (n < 126) {
      out.writeByte(0x80 | n);
    } else if (n <= 0xFFFF) {
      out.writeByte(0x80 | 126);
      out.writeShort(n);
    } else {
      out.writeByte(0x80 | 127);
      out.writeLong(n);
    }
    out.writeInt(ThreadLocalRandom.current().nextInt());
  }

  /** Masks, in place, the {@code n} bytes after a header written by {@link #writeClientHeader}. */
  static void maskPayload(ByteBuf out, int at, int n) {
    unmask(out, at, n, out.getInt(at - 4));
  }

  private boolean readHandshake(ChannelHandlerContext ctx, ByteBuf in) {
    int end = ByteBufUtil.indexOf(Unpooled.wrappedBuffer(END_OF_HEADERS), in);
    if (end < 0) {
      if (in.readableBytes() > MAX_RESPONSE_HEAD) {
        fail(ctx, "no end of the upgrade response within " + MAX_RESPONSE_HEAD + " bytes");
      }
      return false;
    }
    String head = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.US_ASCII);
    in.readerIndex(end + END_OF_HEADERS.length);
    String[] lines = head.split("\r\n");
    if (!lines[0].startsWith("HTTP/1.1 101")) {
      fail(ctx, "upgrade refused: " + lines[0]);
      return false;
    }
    String accept = null;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0
          && lines[i]
              .substring(0, colon)
              .trim()
              .toLowerCase(Locale.ROOT)
              .equals("sec-websocket-accept")) {
        accept = lines[i].substring(colon + 1).trim();
      }
    }
    if (!expectedAccept(key).equals(accept)) {
      fail(ctx, "bad Sec-WebSocket-Accept: " + accept);
      return false;
    }
    open = true;
    upgraded.trySuccess();
    return true;
  }

  static String expectedAccept(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] digest = sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void fail(ChannelHandlerContext ctx, String why) {
    closed = true;
    upgraded.tryFailure(new IllegalStateException(why));
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    closed = true;
    upgraded.tryFailure(new IllegalStateException("connection closed before the upgrade"));
    sink.onClosed(closeCode);
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    upgraded.tryFailure(cause);
    ctx.close();
  }
}

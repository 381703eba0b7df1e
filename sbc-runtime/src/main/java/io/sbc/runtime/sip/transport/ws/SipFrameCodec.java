package io.sbc.runtime.sip.transport.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * One SIP message per WebSocket message (RFC 7118 section 5): a complete text or binary message in
 * becomes the {@code byte[]} the transport's stream handler takes; a message out (a {@link ByteBuf}
 * from the transport) becomes a text frame when it is UTF-8, else a binary one (section 5.2).
 *
 * <p>Keepalives: a frame holding only CRLFCRLF is a client's ping (RFC 5626 section 3.5.1, as
 * SIP.js sends it) and gets CRLF back; it is not a message. After {@code pingSeconds} without a
 * byte from the client (the reader-idle events of an {@link
 * io.netty.handler.timeout.IdleStateHandler} before the HTTP codec), the SBC sends a WebSocket
 * ping; once {@code idleSeconds} passed without a byte, an all-idle event goes on for the transport
 * to close the connection.
 */
final class SipFrameCodec extends ChannelDuplexHandler {
  private static final byte[] CRLF = {'\r', '\n'};

  private final int pingSeconds;
  private final int idleSeconds;
  private final long handshakeMillis;
  private boolean open;
  private int silentPeriods;

  SipFrameCodec(int pingSeconds, int idleSeconds, long handshakeMillis) {
    this.pingSeconds = pingSeconds;
    this.idleSeconds = idleSeconds;
    this.handshakeMillis = handshakeMillis;
  }

  /**
   * The upgrade must be complete {@code handshakeMillis} after the connection was accepted: Netty's
   * own handshake timeout only starts with the request, so a client that sends nothing, or an
   * endless header, would hold its slot until the idle timeout.
   */
  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.executor()
        .schedule(
            () -> {
              if (!open && ctx.channel().isOpen()) {
                ctx.fireUserEventTriggered(WebSocketPipeline.HANDSHAKE_TIMEOUT);
              }
            },
            handshakeMillis,
            java.util.concurrent.TimeUnit.MILLISECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof TextWebSocketFrame) && !(msg instanceof BinaryWebSocketFrame)) {
      if (msg instanceof WebSocketFrame f) {
        f.release(); // a pong passed on by a protocol handler that keeps them: nothing to do
      } else {
        ctx.fireChannelRead(msg);
      }
      return;
    }
    ByteBuf content = ((WebSocketFrame) msg).content();
    try {
      int n = content.readableBytes();
      if (n == 0) {
        return;
      }
      if (onlyCrlf(content)) {
        if (n >= 4) {
          ctx.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(CRLF)));
        }
        return;
      }
      byte[] data = new byte[n];
      content.getBytes(content.readerIndex(), data);
      ctx.fireChannelRead(data);
    } finally {
      ((WebSocketFrame) msg).release();
    }
  }

  private static boolean onlyCrlf(ByteBuf b) {
    for (int i = b.readerIndex(), e = b.writerIndex(); i < e; i++) {
      byte c = b.getByte(i);
      if (c != '\r' && c != '\n') {
        return false;
      }
    }
    return true;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf b) {
      ctx.write(isUtf8(b) ? new TextWebSocketFrame(b) : new BinaryWebSocketFrame(b), promise);
    } else {
      ctx.write(msg, promise);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
      open = true;
    } else if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
      silentPeriods = e.isFirst() ? 1 : silentPeriods + 1;
      if ((long) silentPeriods * pingSeconds >= idleSeconds) {
        ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
      } else if (open) {
        ctx.writeAndFlush(new PingWebSocketFrame());
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  /**
   * Whether the readable bytes are well-formed UTF-8 (RFC 3629), so that a text frame may carry
   * them (RFC 6455 section 5.6). SIP messages are ASCII but for bodies and display names: the loop
   * costs one comparison per byte until the first byte above 0x7F.
   */
  static boolean isUtf8(ByteBuf b) {
    int i = b.readerIndex();
    int e = b.writerIndex();
    while (i < e) {
      int c = b.getByte(i) & 0xFF;
      if (c < 0x80) {
        i++;
        continue;
      }
      int more;
      int min;
      if (c >= 0xC2 && c <= 0xDF) {
        more = 1;
        min = 0x80;
      } else if (c >= 0xE0 && c <= 0xEF) {
        more = 2;
        min = 0x800;
      } else if (c >= 0xF0 && c <= 0xF4) {
        more = 3;
        min = 0x10000;
      } else {
        return false;
      }
      if (i + more >= e) {
        return false;
      }
      int cp = c & (0x3F >> more);
      for (int k = 1; k <= more; k++) {
        int d = b.getByte(i + k) & 0xFF;
        if ((d & 0xC0) != 0x80) {
          return false;
        }
        cp = (cp << 6) | (d & 0x3F);
      }
      if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return false;
      }
      i += more + 1;
    }
    return true;
  }
}

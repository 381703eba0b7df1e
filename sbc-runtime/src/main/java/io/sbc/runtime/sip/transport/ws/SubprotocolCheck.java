package io.sbc.runtime.sip.transport.ws;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Refuses an upgrade request that does not offer the {@code sip} subprotocol (RFC 7118 section 4.1:
 * the client MUST include it), with 400 naming what is missing; Netty's handshaker would accept
 * such a client without any subprotocol.
 */
final class SubprotocolCheck extends ChannelInboundHandlerAdapter {
  private static final byte[] REASON =
      "the sip WebSocket subprotocol is required (RFC 7118)\n".getBytes(StandardCharsets.US_ASCII);

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest req)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (!offersSip(req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL))) {
      req.release();
      FullHttpResponse res =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST, Unpooled.wrappedBuffer(REASON));
      res.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
          .set(HttpHeaderNames.CONTENT_LENGTH, REASON.length)
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    // One request only: the upgrade replaces the HTTP handlers, and this one with them.
    ctx.pipeline().remove(this);
    ctx.fireChannelRead(msg);
  }

  /** Whether a Sec-WebSocket-Protocol value lists "sip" (a comma-separated list of tokens). */
  static boolean offersSip(String value) {
    if (value == null) {
      return false;
    }
    int n = value.length();
    int i = 0;
    while (i < n) {
      int comma = value.indexOf(',', i);
      int end = comma < 0 ? n : comma;
      int s = i;
      int e = end;
      while (s < e && (value.charAt(s) == ' ' || value.charAt(s) == '\t')) {
        s++;
      }
      while (e > s && (value.charAt(e - 1) == ' ' || value.charAt(e - 1) == '\t')) {
        e--;
      }
      if (e - s == 3 && value.regionMatches(s, WebSocketSettings.SUBPROTOCOL, 0, 3)) {
        return true;
      }
      i = end + 1;
    }
    return false;
  }
}

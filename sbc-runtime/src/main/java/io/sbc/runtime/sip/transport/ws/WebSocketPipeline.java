package io.sbc.runtime.sip.transport.ws;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** Builds the handlers of an accepted SIP WebSocket connection, ahead of the transport's own. */
public final class WebSocketPipeline {
  private WebSocketPipeline() {}

  /**
   * The user event fired when a connection has not completed its upgrade within {@code
   * handshakeMillis} of being accepted; the transport closes it.
   */
  public static final Object HANDSHAKE_TIMEOUT = "websocket handshake timeout";

  /**
   * Adds, at the end of {@code p}: the reader-idle clock of the pings, the HTTP codec and the
   * upgrade (bounded in size and time, the {@code sip} subprotocol only), then frames to messages.
   * What follows receives one {@code byte[]} per SIP message and writes {@code ByteBuf}s.
   */
  public static void install(ChannelPipeline p, WebSocketSettings s) {
    WebSocketServerProtocolConfig config =
        WebSocketServerProtocolConfig.newBuilder()
            // Any path: the URI's path names nothing here, the listener is the service.
            .websocketPath("/")
            .checkStartsWith(true)
            .subprotocols(WebSocketSettings.SUBPROTOCOL)
            .handshakeTimeoutMillis(s.handshakeMillis())
            .handleCloseFrames(true)
            .dropPongFrames(true)
            .sendCloseFrame(WebSocketCloseStatus.NORMAL_CLOSURE)
            .decoderConfig(
                WebSocketDecoderConfig.newBuilder()
                    .maxFramePayloadLength(s.maxMessageSize())
                    .allowExtensions(false)
                    .expectMaskedFrames(true)
                    .closeOnProtocolViolation(true)
                    .withUTF8Validator(true)
                    .build())
            .build();
    p.addLast("ws-idle", new IdleStateHandler(s.pingSeconds(), 0, 0, TimeUnit.SECONDS))
        // The request line within 4 KiB, the headers within the handshake bound; a GET upgrade has
        // no body, so the aggregator's bound only stops one that sends a body anyway.
        .addLast("http", new HttpServerCodec(4096, s.maxHandshakeBytes(), 8192))
        .addLast("http-aggregator", new HttpObjectAggregator(1024))
        .addLast("ws-sip-subprotocol", new SubprotocolCheck())
        .addLast("ws-upgrade", new WebSocketServerProtocolHandler(config))
        .addLast("ws-fragments", new WebSocketFrameAggregator(s.maxMessageSize()))
        .addLast(
            "ws-sip", new SipFrameCodec(s.pingSeconds(), s.idleSeconds(), s.handshakeMillis()));
  }
}

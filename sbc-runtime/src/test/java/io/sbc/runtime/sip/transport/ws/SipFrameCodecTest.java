package io.sbc.runtime.sip.transport.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Frames to SIP messages and back (RFC 7118 section 5), and the subprotocol check. */
class SipFrameCodecTest {
  static final String OPTIONS =
      "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bK1\r\n\r\n";

  EmbeddedChannel channel() {
    return new EmbeddedChannel(new SipFrameCodec(30, 300, 10_000));
  }

  @Test
  void aTextOrBinaryFrameIsOneMessage() {
    EmbeddedChannel ch = channel();
    ch.writeInbound(new TextWebSocketFrame(OPTIONS));
    assertArrayEquals(OPTIONS.getBytes(StandardCharsets.UTF_8), (byte[]) ch.readInbound());
    ch.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {'A', 'B'})));
    assertArrayEquals(new byte[] {'A', 'B'}, (byte[]) ch.readInbound());
    assertFalse(ch.finish());
  }

  @Test
  void aCrlfKeepaliveIsAnsweredAndIsNoMessage() {
    EmbeddedChannel ch = channel();
    ch.writeInbound(new TextWebSocketFrame("\r\n\r\n"));
    assertNull(ch.readInbound());
    TextWebSocketFrame pong = ch.readOutbound();
    assertEquals("\r\n", pong.text());
    pong.release();
    ch.writeInbound(new TextWebSocketFrame("\r\n")); // a lone CRLF: ignored, not answered
    assertNull(ch.readInbound());
    assertNull(ch.readOutbound());
  }

  @Test
  void messagesOutAreTextWhenUtf8AndBinaryOtherwise() {
    EmbeddedChannel ch = channel();
    ch.writeOutbound(Unpooled.wrappedBuffer(OPTIONS.getBytes(StandardCharsets.UTF_8)));
    WebSocketFrame f = ch.readOutbound();
    assertInstanceOf(TextWebSocketFrame.class, f);
    f.release();
    ch.writeOutbound(Unpooled.wrappedBuffer(new byte[] {'S', (byte) 0xC3, (byte) 0xA9}));
    f = ch.readOutbound();
    assertInstanceOf(TextWebSocketFrame.class, f, "é is UTF-8");
    f.release();
    ch.writeOutbound(Unpooled.wrappedBuffer(new byte[] {'S', (byte) 0xE9, 'x'}));
    f = ch.readOutbound();
    assertInstanceOf(BinaryWebSocketFrame.class, f, "a Latin-1 byte is not UTF-8");
    f.release();
  }

  @Test
  void utf8IsCheckedStrictly() {
    assertTrue(utf8(0xF0, 0x9F, 0x98, 0x80)); // U+1F600
    assertFalse(utf8(0xC0, 0x80)); // overlong NUL
    assertFalse(utf8(0xED, 0xA0, 0x80)); // a surrogate
    assertFalse(utf8(0xE2, 0x82)); // cut short
    assertFalse(utf8(0xF4, 0x90, 0x80, 0x80)); // past U+10FFFF
  }

  private static boolean utf8(int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) bytes[i];
    }
    ByteBuf buf = Unpooled.wrappedBuffer(b);
    return SipFrameCodec.isUtf8(buf);
  }

  @Test
  void theSipSubprotocolMustBeOffered() {
    assertTrue(SubprotocolCheck.offersSip("sip"));
    assertTrue(SubprotocolCheck.offersSip("chat, sip"));
    assertTrue(SubprotocolCheck.offersSip(" sip ,chat"));
    assertFalse(SubprotocolCheck.offersSip(null));
    assertFalse(SubprotocolCheck.offersSip("sips"));
    assertFalse(SubprotocolCheck.offersSip("SIP-ish, chat"));
  }
}

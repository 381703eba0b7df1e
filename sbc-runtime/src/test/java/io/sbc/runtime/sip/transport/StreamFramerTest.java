package io.sbc.runtime.sip.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.sbc.runtime.sip.timer.ManualClock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Framing of a SIP stream (RFC 3261 section 18.3) and keep-alive (RFC 5626 section 3.5.1). */
class StreamFramerTest {
  private static final String MSG =
      "OPTIONS sip:127.0.0.1 SIP/2.0\r\n"
          + "Via: SIP/2.0/TCP 127.0.0.1:5062;branch=z9hG4bK1\r\n"
          + "Call-ID: a\r\n"
          + "l: 5\r\n"
          + "\r\n"
          + "hello";

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  @Test
  void everySplitPointFramesTheSameMessage() {
    byte[] all = bytes(MSG + MSG);
    for (int cut = 1; cut < all.length; cut++) {
      EmbeddedChannel ch = new EmbeddedChannel(new StreamFramer(2048));
      ch.writeInbound(Unpooled.wrappedBuffer(all, 0, cut));
      ch.writeInbound(Unpooled.wrappedBuffer(all, cut, all.length - cut));
      assertEquals(MSG, text(ch.readInbound()), "cut at " + cut);
      assertEquals(MSG, text(ch.readInbound()), "cut at " + cut);
      assertNull(ch.readInbound());
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void byteAtATimeFramesTheSameMessages() {
    EmbeddedChannel ch = new EmbeddedChannel(new StreamFramer(2048));
    for (byte b : bytes(MSG + "\r\n\r\n" + MSG)) {
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    assertEquals(MSG, text(ch.readInbound()));
    assertEquals(MSG, text(ch.readInbound()));
    ByteBuf pong = ch.readOutbound();
    assertEquals("\r\n", pong.toString(StandardCharsets.ISO_8859_1));
    pong.release();
    ch.finishAndReleaseAll();
  }

  /** A 64 KiB header block dripped a byte per read is searched once, not once per read. */
  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void slowDripOfALargeHeaderBlockIsLinear() {
    int max = 65_535;
    String pad = "X-Pad: " + "a".repeat(max - MSG.length() - 20) + "\r\n";
    byte[] big = bytes(MSG.replace("Call-ID", pad + "Call-ID"));
    assertTrue(big.length <= max);
    EmbeddedChannel ch = new EmbeddedChannel(new StreamFramer(max));
    long t0 = System.nanoTime();
    for (byte b : big) {
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertArrayEquals(big, ch.readInbound());
    // Measured: some 150 ms; the old search from the block's start on every read took 3.2 s.
    assertTrue(ms < 2000, "took " + ms + " ms");
    ch.finishAndReleaseAll();
  }

  @Test
  void headerBlockOverTheLimitFails() {
    EmbeddedChannel ch = new EmbeddedChannel(new StreamFramer(1024));
    byte[] b = bytes("OPTIONS sip:x SIP/2.0\r\nX: " + "a".repeat(1100));
    assertThrows(DecoderException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(b)));
  }

  @Test
  void contentLengthOverTheLimitFails() {
    EmbeddedChannel ch = new EmbeddedChannel(new StreamFramer(1024));
    byte[] b = bytes(MSG.replace("l: 5", "Content-Length: 1024"));
    assertThrows(DecoderException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(b)));
  }

  // ---------------------------------------------------------------- message timeout

  /** A stream with a framer timing messages out after 1 s, and the events it fires. */
  private static final class Timed {
    final ManualClock clock = new ManualClock(1_000_000);
    final List<Object> events = new ArrayList<>();
    final List<byte[]> messages = new ArrayList<>();
    final EmbeddedChannel ch = new EmbeddedChannel();

    Timed(boolean awaitFirstMessage) {
      ch.freezeTime(); // the channel's scheduler moves with the clock, nothing else
      ch.pipeline()
          .addLast(new StreamFramer(2048, 1000, awaitFirstMessage, clock))
          .addLast(
              new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                  messages.add((byte[]) msg);
                }

                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                  events.add(evt);
                }
              });
    }

    void write(String s) {
      ch.writeInbound(Unpooled.wrappedBuffer(bytes(s)));
    }

    /** Moves time on by ms and runs what became due. */
    void advance(long ms) {
      clock.advance(ms);
      ch.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
    }

    boolean timedOut() {
      return events.contains(StreamFramer.MESSAGE_TIMEOUT);
    }
  }

  @Test
  void halfAMessageTimesOut() {
    Timed t = new Timed(false);
    t.write(MSG.substring(0, 40));
    t.advance(999);
    assertTrue(t.events.isEmpty(), "fired before the timeout");
    t.advance(1);
    assertEquals(List.of(StreamFramer.MESSAGE_TIMEOUT), t.events);
    t.advance(5000);
    assertEquals(1, t.events.size(), "fired once");
    t.ch.finishAndReleaseAll();
  }

  /** A slowloris sender: a byte every 300 ms keeps any idle timeout from firing, not this one. */
  @Test
  void aTrickleOfBytesDoesNotRestartTheClock() {
    Timed t = new Timed(false);
    byte[] b = bytes(MSG);
    for (int i = 0; i < 3; i++) {
      t.ch.writeInbound(Unpooled.wrappedBuffer(b, i, 1));
      t.advance(300);
    }
    assertTrue(t.events.isEmpty());
    t.ch.writeInbound(Unpooled.wrappedBuffer(b, 3, 1));
    t.advance(100); // 1000 ms since the message's first byte
    assertTrue(t.timedOut(), "a message trickling for 1 s was not timed out");
  }

  @Test
  void aCompletedMessageEndsTheClockAndTheNextStartsItsOwn() {
    Timed t = new Timed(false);
    t.write(MSG.substring(0, 40));
    t.advance(600);
    // The rest of the message and the start of the next in one read: the clock restarts now.
    t.write(MSG.substring(40) + MSG.substring(0, 10));
    assertEquals(1, t.messages.size());
    t.advance(999);
    assertTrue(t.events.isEmpty(), "the second message was timed from the first one's start");
    t.advance(1);
    assertTrue(t.timedOut());
  }

  @Test
  void wholeMessagesAndPingsNeverTimeOut() {
    Timed t = new Timed(false);
    for (int i = 0; i < 5; i++) {
      t.write(MSG);
      t.advance(800);
      t.write("\r\n\r\n");
      t.advance(800);
    }
    t.advance(10_000);
    assertEquals(5, t.messages.size());
    assertTrue(t.events.isEmpty(), "whole messages were timed out: " + t.events);
    t.ch.finishAndReleaseAll();
  }

  @Test
  void anAcceptedStreamMustBringItsFirstMessageInTime() {
    Timed silent = new Timed(true);
    silent.advance(999);
    assertTrue(silent.events.isEmpty());
    silent.advance(1);
    assertTrue(silent.timedOut(), "a connection that never sent anything was not timed out");

    // Pings are not a first message: they do not hold a connection open past the timeout.
    Timed pinging = new Timed(true);
    pinging.write("\r\n\r\n");
    pinging.advance(600);
    pinging.write("\r\n\r\n");
    pinging.advance(400);
    assertTrue(pinging.timedOut(), "pings kept a connection without a message open");

    Timed talking = new Timed(true);
    talking.advance(900);
    talking.write(MSG);
    talking.advance(10_000);
    assertEquals(1, talking.messages.size());
    assertTrue(talking.events.isEmpty(), "timed out after its first message: " + talking.events);
  }

  @Test
  void noTimeoutWithoutOne() {
    EmbeddedChannel ch = new EmbeddedChannel(new StreamFramer(2048));
    ch.freezeTime();
    ch.writeInbound(Unpooled.wrappedBuffer(bytes(MSG.substring(0, 40))));
    ch.advanceTimeBy(1, TimeUnit.HOURS);
    ch.runScheduledPendingTasks();
    assertTrue(ch.isOpen());
    assertNull(ch.readInbound());
    ch.finishAndReleaseAll();
  }

  /**
   * Pongs to a peer that pings and never reads would fill the write queue: none while it is full.
   */
  @Test
  void noPongWhileTheWriteQueueIsFull() {
    EmbeddedChannel ch = new EmbeddedChannel(new StreamFramer(2048));
    ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    ch.writeInbound(Unpooled.wrappedBuffer(bytes("\r\n\r\n")));
    assertNull(ch.readOutbound(), "a pong was queued on an unwritable connection");
    ch.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    ch.writeInbound(Unpooled.wrappedBuffer(bytes("\r\n\r\n")));
    ByteBuf pong = ch.readOutbound();
    assertEquals("\r\n", pong.toString(StandardCharsets.ISO_8859_1));
    pong.release();
    ch.finishAndReleaseAll();
  }
}

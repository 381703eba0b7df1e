package io.sbc.runtime.sip.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.ScheduledFuture;
import io.sbc.runtime.sip.timer.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cuts a SIP byte stream into messages by the empty line and Content-Length (RFC 3261 section
 * 18.3), and answers the CRLFCRLF keep-alive ping with a CRLF pong (RFC 5626 section 3.5.1).
 *
 * <p>Each message comes out as its own {@code byte[]}. A stream that cannot be framed (a header
 * block or body larger than the limit, an unreadable Content-Length) closes the connection: after
 * it nothing on the stream can be trusted to start a message.
 *
 * <p>With a message timeout, a stream that holds an incomplete message for longer (a slowloris
 * sender: a few bytes now and then keep an idle timeout from ever firing) gets {@link
 * #MESSAGE_TIMEOUT} as a user event; so does an accepted stream whose first message has not come by
 * then. The handler after this one closes the connection.
 */
public final class StreamFramer extends ByteToMessageDecoder {
  /** The user event fired when a message (or the first one) did not complete in time. */
  public static final Object MESSAGE_TIMEOUT =
      new Object() {
        @Override
        public String toString() {
          return "MESSAGE_TIMEOUT";
        }
      };

  private static final byte[] PONG = {'\r', '\n'};
  private final int maxMessageSize;
  private final long messageTimeoutMillis;
  private final boolean awaitFirstMessage;
  private final Clock clock;

  /** When the incomplete message at the reader index started (clock millis), or -1 for none. */
  private long partialSince = -1;

  private ScheduledFuture<?> timeoutCheck;
  private boolean timing;

  /*
   * Progress on the message at the reader index, kept between reads so that each byte is looked at
   * once: a header block arriving a byte per segment used to be searched from its start on every
   * read (quadratic: some 2e9 byte reads for one 64 KiB block, a cheap way to burn a loop's CPU,
   * RFC 3261 section 26.1.5), and a trickling body had its headers re-parsed on every read.
   */

  /** Bytes after the reader index already searched for the empty line, without finding it. */
  private int searched;

  /** Length of the message at the reader index once its header block is known, else -1. */
  private int pendingTotal = -1;

  /** A framer without a message timeout. */
  public StreamFramer(int maxMessageSize) {
    this(maxMessageSize, 0, false, Clock.SYSTEM);
  }

  /**
   * @param messageTimeoutMillis how long a message may take to arrive from its first byte to its
   *     last (0: no limit)
   * @param awaitFirstMessage whether the stream counts as in a message from the start, so that the
   *     first message must complete within the timeout too (accepted connections)
   * @param clock the time the message timeout measures
   */
  public StreamFramer(
      int maxMessageSize, long messageTimeoutMillis, boolean awaitFirstMessage, Clock clock) {
    this.maxMessageSize = maxMessageSize;
    this.messageTimeoutMillis = messageTimeoutMillis;
    this.awaitFirstMessage = awaitFirstMessage;
    this.clock = clock;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
      startTiming(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    startTiming(ctx);
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stopTiming();
    super.channelInactive(ctx);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    stopTiming();
  }

  private void startTiming(ChannelHandlerContext ctx) {
    if (timing || messageTimeoutMillis <= 0) {
      return;
    }
    timing = true;
    if (awaitFirstMessage) {
      partialSince = clock.millis();
    }
    schedule(ctx, messageTimeoutMillis);
  }

  private void stopTiming() {
    timing = false;
    if (timeoutCheck != null) {
      timeoutCheck.cancel(false);
      timeoutCheck = null;
    }
  }

  /*
   * One check per connection and timeout period, rescheduled to the deadline of the message in
   * progress: nothing is scheduled or cancelled per message, so whole messages cost no timer work.
   */
  private void schedule(ChannelHandlerContext ctx, long delayMillis) {
    timeoutCheck =
        ctx.executor().schedule(() -> check(ctx), Math.max(1, delayMillis), TimeUnit.MILLISECONDS);
  }

  private void check(ChannelHandlerContext ctx) {
    if (!timing) {
      return;
    }
    long now = clock.millis();
    if (partialSince >= 0 && now - partialSince >= messageTimeoutMillis) {
      stopTiming();
      ctx.fireUserEventTriggered(MESSAGE_TIMEOUT);
      return;
    }
    schedule(
        ctx, partialSince >= 0 ? partialSince + messageTimeoutMillis - now : messageTimeoutMillis);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int framed = out.size();
    frame(ctx, in, out);
    if (timing) {
      // A message starts its clock at the read that brings its first byte; one completed in this
      // read ends the previous clock (a ping does not: it is not the first message).
      boolean partial = in.isReadable() && !allCrlf(in, in.readerIndex(), in.writerIndex());
      if (out.size() > framed) {
        partialSince = partial ? clock.millis() : -1;
      } else if (partial && partialSince < 0) {
        partialSince = clock.millis();
      }
    }
  }

  private void frame(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (in.isReadable()) {
      int start = in.readerIndex();
      int end = in.writerIndex();
      // Keep-alive: a double CRLF between messages is a ping, a single CRLF a pong or padding.
      if (in.getByte(start) == '\r' || in.getByte(start) == '\n') {
        if (end - start >= 4
            && in.getByte(start) == '\r'
            && in.getByte(start + 1) == '\n'
            && in.getByte(start + 2) == '\r'
            && in.getByte(start + 3) == '\n') {
          in.skipBytes(4);
          // A peer that pings but never reads must not fill our write queue with pongs.
          if (ctx.channel().isWritable()) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(PONG));
          }
          continue;
        }
        if (end - start < 4 && allCrlf(in, start, end)) {
          return; // wait: may become a ping
        }
        in.skipBytes(1);
        continue;
      }
      int total = pendingTotal;
      if (total < 0) {
        int limit = Math.min(end, start + maxMessageSize);
        // Resume 3 bytes back: the CRLFCRLF may straddle the previous read's end.
        int headerEnd = findEmptyLine(in, start + Math.max(0, searched - 3), limit);
        if (headerEnd < 0) {
          if (end - start >= maxMessageSize) {
            throw new TooLongFrameException("SIP header block over " + maxMessageSize + " bytes");
          }
          searched = limit - start;
          return;
        }
        int bodyLength = contentLength(in, start, headerEnd);
        if (bodyLength < 0) {
          throw new TooLongFrameException("unreadable Content-Length");
        }
        total = headerEnd + 4 - start + bodyLength;
        if (total > maxMessageSize) {
          throw new TooLongFrameException("SIP message over " + maxMessageSize + " bytes");
        }
        pendingTotal = total;
      }
      if (end - start < total) {
        return;
      }
      byte[] msg = new byte[total];
      in.readBytes(msg);
      searched = 0;
      pendingTotal = -1;
      out.add(msg);
    }
  }

  private static boolean allCrlf(ByteBuf in, int from, int to) {
    for (int i = from; i < to; i++) {
      byte c = in.getByte(i);
      if (c != '\r' && c != '\n') {
        return false;
      }
    }
    return true;
  }

  /** Offset of the CRLFCRLF that ends the headers, or -1. */
  private static int findEmptyLine(ByteBuf in, int from, int to) {
    for (int i = from; i + 3 < to; i++) {
      if (in.getByte(i) == '\r'
          && in.getByte(i + 1) == '\n'
          && in.getByte(i + 2) == '\r'
          && in.getByte(i + 3) == '\n') {
        return i;
      }
    }
    return -1;
  }

  /**
   * The Content-Length value among the header lines in [from, to), 0 when absent (the decoder then
   * answers 400: it is mandatory on streams), -1 when unreadable.
   */
  static int contentLength(ByteBuf in, int from, int to) {
    int p = from;
    while (p < to) {
      int eol = p;
      while (eol < to && in.getByte(eol) != '\r') {
        eol++;
      }
      int nameEnd = p;
      while (nameEnd < eol
          && in.getByte(nameEnd) != ':'
          && in.getByte(nameEnd) != ' '
          && in.getByte(nameEnd) != '\t') {
        nameEnd++;
      }
      if (isContentLength(in, p, nameEnd)) {
        int c = nameEnd;
        while (c < eol && (in.getByte(c) == ' ' || in.getByte(c) == '\t' || in.getByte(c) == ':')) {
          c++;
        }
        long v = 0;
        int digits = 0;
        while (c < eol && in.getByte(c) >= '0' && in.getByte(c) <= '9') {
          v = v * 10 + (in.getByte(c) - '0');
          if (v > Integer.MAX_VALUE) {
            return -1;
          }
          c++;
          digits++;
        }
        while (c < eol && (in.getByte(c) == ' ' || in.getByte(c) == '\t')) {
          c++;
        }
        return digits == 0 || c != eol ? -1 : (int) v;
      }
      p = eol + 2;
    }
    return 0;
  }

  private static boolean isContentLength(ByteBuf in, int from, int to) {
    int len = to - from;
    if (len == 1) {
      return (in.getByte(from) | 0x20) == 'l';
    }
    if (len != 14) {
      return false;
    }
    String name = "content-length";
    for (int i = 0; i < 14; i++) {
      if ((in.getByte(from + i) | 0x20) != name.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}

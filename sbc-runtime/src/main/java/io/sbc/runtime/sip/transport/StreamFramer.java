package io.sbc.runtime.sip.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Cuts a SIP byte stream into messages by the empty line and Content-Length (RFC 3261 section
 * 18.3), and answers the CRLFCRLF keep-alive ping with a CRLF pong (RFC 5626 section 3.5.1).
 *
 * <p>Each message comes out as its own {@code byte[]}. A stream that cannot be framed (a header
 * block or body larger than the limit, an unreadable Content-Length) closes the connection: after
 * it nothing on the stream can be trusted to start a message.
 */
public final class StreamFramer extends ByteToMessageDecoder {
  private static final byte[] PONG = {'\r', '\n'};
  private final int maxMessageSize;

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

  public StreamFramer(int maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
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
          ctx.writeAndFlush(Unpooled.wrappedBuffer(PONG));
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

package io.sbc.runtime.sip.message;

import java.nio.charset.StandardCharsets;

/**
 * Edits a received message by replacing byte ranges of the original (Kamailio's "lumps"), so a
 * forwarded message keeps every byte that the proxy had no reason to touch.
 *
 * <p>Edits are collected in any order and must not overlap; insertions at the same offset keep the
 * order in which they were added and come before a replacement or deletion starting there. {@link
 * #apply()} writes the result in one pass.
 */
public final class MessageEditor {
  private final SipMessage message;
  private int count;
  private int[] from = new int[8];
  private int[] to = new int[8];
  private byte[][] data = new byte[8][];

  /** The index of the body's edit, or -1: a body replaced also carries its Content-Length. */
  private int bodyEdit = -1;

  public MessageEditor(SipMessage message) {
    this.message = message;
  }

  public MessageEditor insert(int at, byte[] bytes) {
    return replace(at, at, bytes);
  }

  public MessageEditor insert(int at, String text) {
    return replace(at, at, ascii(text));
  }

  public MessageEditor delete(int start, int end) {
    return replace(start, end, (byte[]) null);
  }

  public MessageEditor replace(int start, int end, String text) {
    return replace(start, end, ascii(text));
  }

  public MessageEditor replace(int start, int end, byte[] bytes) {
    if (start < 0 || end < start || end > message.length()) {
      throw new IllegalArgumentException("edit out of range: " + start + ".." + end);
    }
    if (count == from.length) {
      from = java.util.Arrays.copyOf(from, count * 2);
      to = java.util.Arrays.copyOf(to, count * 2);
      data = java.util.Arrays.copyOf(data, count * 2);
    }
    from[count] = start;
    to[count] = end;
    data[count] = bytes;
    count++;
    return this;
  }

  /**
   * Replaces the body (an SDP rewritten by RTPengine) and gives Content-Length its new length (RFC
   * 3261 section 20.14): the value is replaced, or, in a datagram that had none, a Content-Length
   * line is added. At most once per message.
   */
  public MessageEditor replaceBody(byte[] body) {
    int start = message.bodyStart();
    return replaceBody(start, start + message.bodyLength(), body);
  }

  /**
   * Replaces {@code [start, end)} of the body (the SDP part of a multipart body) with {@code
   * bytes}, and gives Content-Length the body's new length, as {@link #replaceBody(byte[])} does.
   */
  public MessageEditor replaceBody(int start, int end, byte[] bytes) {
    int bs = message.bodyStart();
    int be = bs + message.bodyLength();
    if (start < bs || end > be || end < start) {
      throw new IllegalArgumentException("not within the body: " + start + ".." + end);
    }
    if (bodyReplaced()) {
      throw new IllegalStateException("the body is already replaced");
    }
    String length = Integer.toString(message.bodyLength() - (end - start) + bytes.length);
    int h = message.findHeader(HeaderName.CONTENT_LENGTH);
    if (h >= 0) {
      replace(message.headerValueStart(h), message.headerValueEnd(h), length);
    } else {
      insert(message.headersEnd(), "Content-Length: " + length + "\r\n");
    }
    bodyEdit = count;
    return replace(start, end, bytes);
  }

  /** Whether {@link #replaceBody} replaced the body (and its Content-Length). */
  public boolean bodyReplaced() {
    return bodyEdit >= 0 && bodyEdit < count;
  }

  /** A point to {@link #reset(int)} to: edits added after it can be dropped again. */
  public int mark() {
    return count;
  }

  /** Drops the edits added since {@code mark} (one request forwarded to several targets). */
  public void reset(int mark) {
    for (int i = mark; i < count; i++) {
      data[i] = null;
    }
    count = mark;
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /** The edited message as new bytes; the original is left untouched. */
  public byte[] apply() {
    byte[] src = message.bytes();
    int len = message.length();
    int size = len;
    for (int i = 0; i < count; i++) {
      size += (data[i] == null ? 0 : data[i].length) - (to[i] - from[i]);
    }
    // Apply in offset order, stable for equal offsets, an insertion before a replacement that
    // starts where it does (a header line inserted before one deleted): a handful of edits.
    int[] order = new int[count];
    for (int i = 0; i < count; i++) {
      int j = i;
      while (j > 0 && after(order[j - 1], i)) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = i;
    }
    byte[] out = new byte[size];
    int pos = 0;
    int o = 0;
    for (int k = 0; k < count; k++) {
      int i = order[k];
      if (from[i] < pos) {
        throw new IllegalStateException("overlapping edits at " + from[i]);
      }
      int n = from[i] - pos;
      System.arraycopy(src, pos, out, o, n);
      o += n;
      if (data[i] != null) {
        System.arraycopy(data[i], 0, out, o, data[i].length);
        o += data[i].length;
      }
      pos = to[i];
    }
    System.arraycopy(src, pos, out, o, len - pos);
    return out;
  }

  /** Whether edit {@code a} goes after edit {@code b}. */
  private boolean after(int a, int b) {
    if (from[a] != from[b]) {
      return from[a] > from[b];
    }
    return to[a] > from[a] && to[b] == from[b]; // a replaces, b inserts, at the same offset
  }

  public static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}

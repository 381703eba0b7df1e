package io.sbc.runtime.sip.message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One SIP request or response as received: the original bytes plus an index of its start line and
 * header lines, with the headers a proxy needs already checked (built by {@link
 * SipMessageDecoder}).
 *
 * <p>Nothing is re-serialized: forwarding edits byte ranges of {@link #bytes()} (see {@link
 * MessageEditor}). A message that failed to parse carries its {@link #error()}; what was parsed
 * before the failure stays readable, which is what a 400 answer needs.
 */
public final class SipMessage {
  final byte[] buf;
  int length;

  boolean request;
  String method;
  int uriStart;
  int uriEnd;
  SipUri requestUri;
  int status;
  int reasonStart;
  int reasonEnd;
  int startLineEnd;

  int headerCount;
  byte[] hCode = new byte[16];
  int[] hLineStart = new int[16];
  int[] hValueStart = new int[16];
  int[] hValueEnd = new int[16];
  int[] hLineEnd = new int[16];
  int headersEnd;
  int bodyStart;
  int bodyEnd;

  final List<Via> vias = new ArrayList<>(4);
  int[] viaHeader = new int[4];
  NameAddr from;
  NameAddr to;
  int callIdHeader = -1;
  long cseq = -1;
  String cseqMethod;
  int maxForwards = -1;
  int maxForwardsHeader = -1;
  SipParseException error;

  SipMessage(byte[] buf, int length) {
    this.buf = buf;
    this.length = length;
  }

  /** The message bytes; valid from 0 to {@link #length()}. */
  public byte[] bytes() {
    return buf;
  }

  /** The length of the message, headers and body; trailing octets of a datagram are excluded. */
  public int length() {
    return length;
  }

  public boolean isRequest() {
    return request;
  }

  public boolean isResponse() {
    return !request;
  }

  /** Why the message is malformed, or null when it parsed cleanly. */
  public SipParseException error() {
    return error;
  }

  public String method() {
    return method;
  }

  public SipUri requestUri() {
    return requestUri;
  }

  public int uriStart() {
    return uriStart;
  }

  public int uriEnd() {
    return uriEnd;
  }

  public int status() {
    return status;
  }

  public String reason() {
    return text(reasonStart, reasonEnd);
  }

  /** Offset just past the CRLF that ends the start line: where the first header line begins. */
  public int startLineEnd() {
    return startLineEnd;
  }

  public int headerCount() {
    return headerCount;
  }

  public byte headerCode(int i) {
    return hCode[i];
  }

  public int headerLineStart(int i) {
    return hLineStart[i];
  }

  /** Offset past the line end (CRLF included) of header {@code i}, folded lines included. */
  public int headerLineEnd(int i) {
    return hLineEnd[i];
  }

  public int headerValueStart(int i) {
    return hValueStart[i];
  }

  public int headerValueEnd(int i) {
    return hValueEnd[i];
  }

  /** The index of the first header with this code at or after {@code from}, or -1. */
  public int findHeader(byte code, int from) {
    for (int i = from; i < headerCount; i++) {
      if (hCode[i] == code) {
        return i;
      }
    }
    return -1;
  }

  public int findHeader(byte code) {
    return findHeader(code, 0);
  }

  /** The index of the first header whose name equals {@code name} (case-insensitive), or -1. */
  public int findHeader(String name) {
    for (int i = 0; i < headerCount; i++) {
      int s = hLineStart[i];
      if (hCode[i] == HeaderName.OTHER
          && s + name.length() < length
          && HeaderName.equalsIgnoreCase(buf, s, name)) {
        byte c = buf[s + name.length()];
        if (c == ':' || c == ' ' || c == '\t') {
          return i;
        }
      }
    }
    return -1;
  }

  /** The value of a header as text (folding kept as it is), or null when absent. */
  public String headerValue(byte code) {
    int i = findHeader(code);
    return i < 0 ? null : text(hValueStart[i], hValueEnd[i]);
  }

  public String headerValue(String name) {
    int i = findHeader(name);
    return i < 0 ? null : text(hValueStart[i], hValueEnd[i]);
  }

  /** Offset where the headers end: the start of the empty line. */
  public int headersEnd() {
    return headersEnd;
  }

  public int bodyStart() {
    return bodyStart;
  }

  public int bodyLength() {
    return bodyEnd - bodyStart;
  }

  /** All Via entries, topmost first (several may share one header line). */
  public List<Via> vias() {
    return vias;
  }

  public Via topVia() {
    return vias.isEmpty() ? null : vias.get(0);
  }

  /** The header index that holds Via entry {@code i}. */
  public int viaHeaderIndex(int i) {
    return viaHeader[i];
  }

  public NameAddr from() {
    return from;
  }

  public NameAddr to() {
    return to;
  }

  public String fromTag() {
    return from == null ? null : from.tag();
  }

  public String toTag() {
    return to == null ? null : to.tag();
  }

  public int callIdHeader() {
    return callIdHeader;
  }

  public String callId() {
    return callIdHeader < 0 ? null : text(hValueStart[callIdHeader], hValueEnd[callIdHeader]);
  }

  public long cseq() {
    return cseq;
  }

  public String cseqMethod() {
    return cseqMethod;
  }

  /** The Max-Forwards value, or -1 when the header is absent. */
  public int maxForwards() {
    return maxForwards;
  }

  public int maxForwardsHeader() {
    return maxForwardsHeader;
  }

  /** Bytes of the given range as ISO-8859-1 text (UTF-8 octets survive a round trip). */
  public String text(int from, int to) {
    return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
  }

  /** Hashes a byte range without allocating (for transaction and loop-detection keys). */
  public int hash(int from, int to) {
    int h = 1;
    for (int i = from; i < to; i++) {
      h = 31 * h + buf[i];
    }
    return h;
  }

  @Override
  public String toString() {
    return new String(buf, 0, length, StandardCharsets.UTF_8);
  }
}

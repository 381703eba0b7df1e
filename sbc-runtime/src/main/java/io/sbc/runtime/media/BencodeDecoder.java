package io.sbc.runtime.media;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads bencode (the ng protocol's dictionaries) from bytes that came over the network: byte
 * strings become {@link String}s of ISO-8859-1 (one char per byte, so an SDP body goes back to the
 * same bytes), integers {@link Long}, lists {@link List} and dictionaries {@link Map} with string
 * keys in input order.
 *
 * <p>Every byte is hostile: nesting is bounded by {@code maxDepth} (the recursion too), the number
 * of elements by {@code maxElements}, a string's length is checked against the bytes left before it
 * is copied, integers are at most 18 digits without a leading zero or "-0", and a dictionary key
 * may not appear twice. Anything else is a {@link BencodeException}.
 */
public final class BencodeDecoder {
  /** Nesting deeper than any ng reply (query replies nest about six levels). */
  public static final int DEFAULT_MAX_DEPTH = 16;

  /** More elements than a query reply of a call with many streams holds. */
  public static final int DEFAULT_MAX_ELEMENTS = 20_000;

  private final int maxDepth;
  private final int maxElements;

  public BencodeDecoder() {
    this(DEFAULT_MAX_DEPTH, DEFAULT_MAX_ELEMENTS);
  }

  public BencodeDecoder(int maxDepth, int maxElements) {
    this.maxDepth = maxDepth;
    this.maxElements = maxElements;
  }

  /** Decodes exactly one value filling {@code b[from, to)}. */
  public Object decode(byte[] b, int from, int to) throws BencodeException {
    if (from < 0 || to > b.length || from > to) {
      throw new IllegalArgumentException("range " + from + ".." + to);
    }
    State s = new State(b, from, to);
    Object v = value(s, 0);
    if (s.pos != to) {
      throw new BencodeException("bytes after the value", s.pos);
    }
    return v;
  }

  /** Decodes a value that must be a dictionary. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> decodeDictionary(byte[] b, int from, int to) throws BencodeException {
    Object v = decode(b, from, to);
    if (!(v instanceof Map)) {
      throw new BencodeException("not a dictionary", from);
    }
    return (Map<String, Object>) v;
  }

  private static final class State {
    final byte[] b;
    final int end;
    int pos;
    int elements;

    State(byte[] b, int pos, int end) {
      this.b = b;
      this.pos = pos;
      this.end = end;
    }
  }

  private Object value(State s, int depth) throws BencodeException {
    if (s.pos >= s.end) {
      throw new BencodeException("truncated", s.pos);
    }
    if (++s.elements > maxElements) {
      throw new BencodeException("more than " + maxElements + " elements", s.pos);
    }
    byte c = s.b[s.pos];
    if (c >= '0' && c <= '9') {
      return string(s);
    }
    if (c == 'i') {
      s.pos++;
      return integer(s, 'e');
    }
    if (c == 'l' || c == 'd') {
      if (depth >= maxDepth) {
        throw new BencodeException("nested deeper than " + maxDepth, s.pos);
      }
      s.pos++;
      return c == 'l' ? list(s, depth + 1) : dictionary(s, depth + 1);
    }
    throw new BencodeException("unexpected byte " + (c & 0xFF), s.pos);
  }

  private String string(State s) throws BencodeException {
    long n = integer(s, ':');
    if (n < 0) {
      throw new BencodeException("negative string length", s.pos);
    }
    if (n > s.end - s.pos) {
      throw new BencodeException("string longer than the input", s.pos);
    }
    String v = new String(s.b, s.pos, (int) n, StandardCharsets.ISO_8859_1);
    s.pos += (int) n;
    return v;
  }

  /** Digits (with an optional '-') up to {@code terminator}; the position moves past it. */
  private static long integer(State s, char terminator) throws BencodeException {
    int start = s.pos;
    boolean negative = false;
    if (s.pos < s.end && s.b[s.pos] == '-' && terminator == 'e') {
      negative = true;
      s.pos++;
    }
    int digitsStart = s.pos;
    long v = 0;
    while (s.pos < s.end && s.b[s.pos] != terminator) {
      byte c = s.b[s.pos];
      if (c < '0' || c > '9') {
        throw new BencodeException("not a digit", s.pos);
      }
      if (s.pos - digitsStart >= 18) {
        throw new BencodeException("integer of more than 18 digits", start);
      }
      v = v * 10 + (c - '0');
      s.pos++;
    }
    if (s.pos >= s.end) {
      throw new BencodeException("truncated", s.pos);
    }
    int digits = s.pos - digitsStart;
    if (digits == 0) {
      throw new BencodeException("no digits", start);
    }
    if (digits > 1 && s.b[digitsStart] == '0') {
      throw new BencodeException("leading zero", start);
    }
    if (negative && v == 0) {
      throw new BencodeException("negative zero", start);
    }
    s.pos++; // the terminator
    return negative ? -v : v;
  }

  private List<Object> list(State s, int depth) throws BencodeException {
    List<Object> out = new ArrayList<>();
    while (true) {
      if (s.pos >= s.end) {
        throw new BencodeException("truncated list", s.pos);
      }
      if (s.b[s.pos] == 'e') {
        s.pos++;
        return out;
      }
      out.add(value(s, depth));
    }
  }

  private Map<String, Object> dictionary(State s, int depth) throws BencodeException {
    Map<String, Object> out = new LinkedHashMap<>();
    while (true) {
      if (s.pos >= s.end) {
        throw new BencodeException("truncated dictionary", s.pos);
      }
      if (s.b[s.pos] == 'e') {
        s.pos++;
        return out;
      }
      byte c = s.b[s.pos];
      if (c < '0' || c > '9') {
        throw new BencodeException("dictionary key is not a string", s.pos);
      }
      if (++s.elements > maxElements) {
        throw new BencodeException("more than " + maxElements + " elements", s.pos);
      }
      int at = s.pos;
      String key = string(s);
      Object v = value(s, depth);
      if (out.putIfAbsent(key, v) != null) {
        throw new BencodeException("duplicate key", at);
      }
    }
  }
}

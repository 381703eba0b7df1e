package io.sbc.runtime.media;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Writes bencode: {@link String}s as byte strings of ISO-8859-1 (an SDP taken from message bytes as
 * ISO-8859-1 goes out byte for byte), {@code byte[]} as they are, integers, lists and dictionaries
 * (in the map's order: RTPengine does not require sorted keys).
 */
public final class BencodeEncoder {
  private BencodeEncoder() {}

  /** Appends {@code value} to {@code out}. */
  public static void encode(Object value, ByteArrayOutputStream out) {
    if (value instanceof String s) {
      bytes(s.getBytes(StandardCharsets.ISO_8859_1), out);
    } else if (value instanceof byte[] b) {
      bytes(b, out);
    } else if (value instanceof Long || value instanceof Integer) {
      out.write('i');
      ascii(value.toString(), out);
      out.write('e');
    } else if (value instanceof List<?> l) {
      out.write('l');
      for (Object o : l) {
        encode(o, out);
      }
      out.write('e');
    } else if (value instanceof Map<?, ?> m) {
      out.write('d');
      for (Map.Entry<?, ?> e : m.entrySet()) {
        encode((String) e.getKey(), out);
        encode(e.getValue(), out);
      }
      out.write('e');
    } else {
      throw new IllegalArgumentException(
          "not bencodable: " + (value == null ? "null" : value.getClass().getName()));
    }
  }

  public static byte[] encode(Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    encode(value, out);
    return out.toByteArray();
  }

  private static void bytes(byte[] b, ByteArrayOutputStream out) {
    ascii(Integer.toString(b.length), out);
    out.write(':');
    out.write(b, 0, b.length);
  }

  private static void ascii(String s, ByteArrayOutputStream out) {
    for (int i = 0; i < s.length(); i++) {
      out.write(s.charAt(i));
    }
  }
}

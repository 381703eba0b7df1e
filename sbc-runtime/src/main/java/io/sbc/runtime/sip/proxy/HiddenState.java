package io.sbc.runtime.sip.proxy;

import io.sbc.api.syntax.IpLiteral;
import io.sbc.runtime.sip.locate.UriTarget;
import io.sbc.runtime.sip.transport.Protocol;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What topology hiding restores for one side of a dialog, as the plain bytes its tokens seal: the
 * route set towards a side (in the SBC's Record-Route value that the other side keeps), and the
 * true Contact of a side with the address it is reached at when behind NAT (in the SBC's Contact
 * URI that the other side uses as Request-URI).
 */
final class HiddenState {
  private HiddenState() {}

  static final int HIDE_CALL_ID = 1;
  static final int HIDE_FROM_TO = 2;
  private static final Protocol[] PROTOCOLS = Protocol.values();

  /**
   * The route set towards one side of a hidden dialog and the dialog's policy.
   *
   * @param flags {@link #HIDE_CALL_ID}, {@link #HIDE_FROM_TO}
   * @param natTests the NAT tests of the dialog's rule (in-dialog senders are tested too)
   * @param keepaliveSeconds the keepalive interval of the dialog's rule
   * @param routes Route values (URIs, without brackets), in the order to write them
   * @param media the dialog's media state ({@link DialogMedia}'s bytes), or null
   */
  record Routes(int flags, int natTests, int keepaliveSeconds, List<String> routes, byte[] media) {
    EdgePolicy policy() {
      return new EdgePolicy(
          true,
          (flags & HIDE_CALL_ID) != 0,
          (flags & HIDE_FROM_TO) != 0,
          natTests,
          keepaliveSeconds);
    }

    static Routes of(EdgePolicy p, List<String> routes, byte[] media) {
      return new Routes(
          (p.hideCallId() ? HIDE_CALL_ID : 0) | (p.hideFromToHost() ? HIDE_FROM_TO : 0),
          p.natTests(),
          p.keepaliveSeconds(),
          routes,
          media);
    }

    byte[] encode() {
      ByteArrayOutputStream o = new ByteArrayOutputStream(8 + 32 * routes.size());
      o.write(flags);
      o.write(natTests);
      o.write(keepaliveSeconds >> 8);
      o.write(keepaliveSeconds);
      o.write(routes.size());
      for (String r : routes) {
        writeString(o, r);
      }
      if (media != null) {
        // After the routes: a token sealed before media state existed still decodes.
        o.write(media.length);
        o.write(media, 0, media.length);
      }
      return o.toByteArray();
    }

    static Routes decode(byte[] b) {
      if (b == null || b.length < 5) {
        return null;
      }
      int[] at = {5};
      int n = b[4] & 0xFF;
      List<String> routes = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        String s = readString(b, at);
        if (s == null) {
          return null;
        }
        routes.add(s);
      }
      byte[] media = null;
      int p = at[0];
      if (p < b.length) {
        int len = b[p] & 0xFF;
        if (len == 0 || p + 1 + len != b.length) {
          return null;
        }
        media = java.util.Arrays.copyOfRange(b, p + 1, b.length);
      }
      return new Routes(
          b[0] & 0xFF,
          b[1] & 0xFF,
          ((b[2] & 0xFF) << 8) | (b[3] & 0xFF),
          List.copyOf(routes),
          media);
    }
  }

  /**
   * The true Contact of one side and, when it is behind NAT, where its packets came from.
   *
   * @param flags the dialog's {@link #HIDE_CALL_ID} and {@link #HIDE_FROM_TO}
   * @param target the side's Contact URI (the Request-URI it expects)
   * @param natHop the address, port and transport to send to instead, or null
   */
  record Contact(int flags, String target, UriTarget natHop) {
    byte[] encode() {
      ByteArrayOutputStream o = new ByteArrayOutputStream(64);
      o.write(flags);
      writeString(o, target);
      if (natHop != null) {
        byte[] a = IpLiteral.toBytes(natHop.host());
        o.write(natHop.protocol() == null ? 0 : natHop.protocol().ordinal() + 1);
        o.write(a.length);
        o.write(a, 0, a.length);
        o.write(natHop.port() >> 8);
        o.write(natHop.port());
      }
      return o.toByteArray();
    }

    static Contact decode(byte[] b) {
      if (b == null || b.length < 3) {
        return null;
      }
      int flags = b[0] & 0xFF;
      int[] at = {1};
      String target = readString(b, at);
      if (target == null) {
        return null;
      }
      int p = at[0];
      if (p == b.length) {
        return new Contact(flags, target, null);
      }
      if (p + 2 > b.length) {
        return null;
      }
      int transport = b[p] & 0xFF;
      int len = b[p + 1] & 0xFF;
      if ((len != 4 && len != 16) || p + 2 + len + 2 != b.length || transport > PROTOCOLS.length) {
        return null;
      }
      byte[] a = new byte[len];
      System.arraycopy(b, p + 2, a, 0, len);
      int port = ((b[p + 2 + len] & 0xFF) << 8) | (b[p + 3 + len] & 0xFF);
      return new Contact(
          flags,
          target,
          new UriTarget(
              IpLiteral.uriHost(a), port, transport == 0 ? null : PROTOCOLS[transport - 1], false));
    }
  }

  /**
   * A Contact of the other side of a 3xx, to be used by the caller for a new request: the URI, the
   * policy of the call it came from, and until when it may be used.
   */
  record Redirect(int flags, int natTests, String target, long notAfterMillis) {
    byte[] encode() {
      ByteArrayOutputStream o = new ByteArrayOutputStream(64);
      o.write(flags);
      o.write(natTests);
      for (int i = 7; i >= 0; i--) {
        o.write((int) (notAfterMillis >>> (8 * i)));
      }
      writeString(o, target);
      return o.toByteArray();
    }

    static Redirect decode(byte[] b) {
      if (b == null || b.length < 12) {
        return null;
      }
      long t = 0;
      for (int i = 0; i < 8; i++) {
        t = (t << 8) | (b[2 + i] & 0xFF);
      }
      int[] at = {10};
      String target = readString(b, at);
      return target == null || at[0] != b.length
          ? null
          : new Redirect(b[0] & 0xFF, b[1] & 0xFF, target, t);
    }
  }

  /**
   * What a response to a hidden request needs on its way back when it reaches a replica without the
   * transaction (an answer sent to the Service's address): the sender's Via lines and where it is,
   * and its From and To when they were hidden. Sealed in the SBC's own Via ({@code ;h=}).
   */
  record Origin(int flags, byte[] vias, UriTarget source, String from, String to) {
    byte[] encode() {
      ByteArrayOutputStream o = new ByteArrayOutputStream(vias.length + 64);
      o.write(flags);
      byte[] a = IpLiteral.toBytes(source.host());
      o.write(source.protocol() == null ? 0 : source.protocol().ordinal() + 1);
      o.write(a.length);
      o.write(a, 0, a.length);
      o.write(source.port() >> 8);
      o.write(source.port());
      o.write(vias.length >> 8);
      o.write(vias.length);
      o.write(vias, 0, vias.length);
      writeString(o, from == null ? "" : from);
      writeString(o, to == null ? "" : to);
      return o.toByteArray();
    }

    static Origin decode(byte[] b) {
      if (b == null || b.length < 4) {
        return null;
      }
      int flags = b[0] & 0xFF;
      int transport = b[1] & 0xFF;
      int alen = b[2] & 0xFF;
      if ((alen != 4 && alen != 16) || b.length < 3 + alen + 4 || transport > PROTOCOLS.length) {
        return null;
      }
      byte[] a = java.util.Arrays.copyOfRange(b, 3, 3 + alen);
      int p = 3 + alen;
      int port = ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
      int vlen = ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
      p += 4;
      if (p + vlen > b.length) {
        return null;
      }
      byte[] vias = java.util.Arrays.copyOfRange(b, p, p + vlen);
      int[] at = {p + vlen};
      String from = readString(b, at);
      String to = readString(b, at);
      if (from == null || to == null) {
        return null;
      }
      return new Origin(
          flags,
          vias,
          new UriTarget(
              IpLiteral.uriHost(a), port, transport == 0 ? null : PROTOCOLS[transport - 1], false),
          from.isEmpty() ? null : from,
          to.isEmpty() ? null : to);
    }
  }

  /** The hop of a sender behind NAT: where its packets came from. */
  static UriTarget hopOf(java.net.InetSocketAddress source, Protocol protocol) {
    InetAddress a = source.getAddress();
    return new UriTarget(IpLiteral.uriHost(a), source.getPort(), protocol, false);
  }

  private static void writeString(ByteArrayOutputStream o, String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    o.write(b.length >> 8);
    o.write(b.length);
    o.write(b, 0, b.length);
  }

  private static String readString(byte[] b, int[] at) {
    int p = at[0];
    if (p + 2 > b.length) {
      return null;
    }
    int len = ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
    if (p + 2 + len > b.length) {
      return null;
    }
    at[0] = p + 2 + len;
    return new String(b, p + 2, len, StandardCharsets.ISO_8859_1);
  }
}

package io.sbc.runtime.seal;

import io.netty.util.concurrent.FastThreadLocal;
import io.sbc.api.syntax.IpLiteral;
import io.sbc.runtime.sip.locate.UriTarget;
import io.sbc.runtime.sip.transport.Protocol;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The token this SBC puts into its Record-Route URI ({@code ;s=TOKEN}): the hop that in-dialog
 * requests arriving through this Route value go to, bound to the dialog's Call-ID and authenticated
 * with the gateway's shared key. A request follows its route set only when the token opens; where
 * it goes is the sealed hop, not an address the request names, so nobody can use a dialog, their
 * own or a forged one, to relay to a host of their choosing.
 *
 * <p>Layout before base64url (no padding): key id, format byte (host kind, transport, sips, port
 * present, extension), the host (4 or 16 address bytes, or a length and a name), the port (2 bytes,
 * when present), then, when the extension bit is set, one byte (its high bit: a flow follows; its
 * low seven bits: the length of the state), the flow number (4 bytes) and up to {@value #MAX_STATE}
 * bytes of dialog state that other layers give (opaque here: the media of the dialog), then the
 * first {@value #MAC_BYTES} bytes of HMAC-SHA256 over the Call-ID, a zero byte and everything
 * before the MAC. An IPv4 hop with a port takes 24 characters, a flow 31, five bytes of state 32.
 *
 * <p>A flow token (RFC 5626 section 5.2) names the connection a client opened to this SBC: its
 * address, port, transport and the connection's number ({@link UriTarget#flow()}), so requests for
 * the client go down that connection, and get 430 once it is gone. Sealed for a dialog in
 * Record-Route, or, for a Path header (RFC 3327) that outlives dialogs, with {@link
 * #sealFlow(UriTarget)}, bound to no Call-ID (an empty one, which no SIP request has, so neither
 * kind opens as the other).
 */
public final class RouteSeal {
  /** The URI parameter that carries the token. */
  public static final String PARAM = "s";

  /** 80 bits: forging a token takes about 2^79 tries, each one a request the SBC refuses. */
  static final int MAC_BYTES = 10;

  private static final int HOST_V4 = 1;
  private static final int HOST_V6 = 2;
  private static final int HOST_NAME = 3;
  private static final int SECURE = 1 << 5;
  private static final int HAS_PORT = 1 << 6;
  private static final int EXTENSION = 1 << 7;
  private static final int EXT_FLOW = 1 << 7;
  private static final byte[] NO_CALL_ID = new byte[0];

  /** The most dialog state a token carries. */
  public static final int MAX_STATE = 32;

  /** An opened token: the hop, and the dialog state sealed with it (null when none). */
  public record Opened(UriTarget hop, byte[] state) {}

  private static final Protocol[] TRANSPORTS = Protocol.values();

  private final SealKeys keys;

  /** One initialised Mac per key and thread: Mac.init costs more than the MAC itself. */
  private final FastThreadLocal<Mac[]> macs =
      new FastThreadLocal<>() {
        @Override
        protected Mac[] initialValue() {
          List<SealKeys.Key> ks = keys.keys();
          Mac[] m = new Mac[ks.size()];
          for (int i = 0; i < m.length; i++) {
            try {
              m[i] = Mac.getInstance("HmacSHA256");
              m[i].init(new SecretKeySpec(ks.get(i).routeKey(), "HmacSHA256"));
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
            }
          }
          return m;
        }
      };

  /** Per thread: a decoded token and a MAC, so that opening allocates nothing. */
  private static final FastThreadLocal<byte[][]> SCRATCH =
      new FastThreadLocal<>() {
        @Override
        protected byte[][] initialValue() {
          return new byte[][] {new byte[400], new byte[32]};
        }
      };

  private static final byte[] BASE64URL = new byte[128];

  static {
    java.util.Arrays.fill(BASE64URL, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < alphabet.length(); i++) {
      BASE64URL[alphabet.charAt(i)] = (byte) i;
    }
  }

  public RouteSeal(SealKeys keys) {
    this.keys = keys;
  }

  public SealKeys keys() {
    return keys;
  }

  /**
   * Seals a hop for the dialog whose Call-ID is {@code buf[callIdFrom, callIdTo)}.
   *
   * @return the token (URI-safe characters only), or null for a host name longer than 255
   */
  public String seal(byte[] buf, int callIdFrom, int callIdTo, UriTarget hop) {
    return seal(buf, callIdFrom, callIdTo, hop, null);
  }

  /**
   * Seals a hop and the dialog's {@code state} (null or empty: none; at most {@value #MAX_STATE}
   * bytes) for the dialog whose Call-ID is {@code buf[callIdFrom, callIdTo)}.
   *
   * @return the token (URI-safe characters only), or null for a host name longer than 255
   */
  public String seal(byte[] buf, int callIdFrom, int callIdTo, UriTarget hop, byte[] state) {
    if (state != null && state.length > MAX_STATE) {
      throw new IllegalArgumentException("dialog state over " + MAX_STATE + " bytes");
    }
    byte[] host;
    int kind;
    InetAddress a = IpLiteral.toInetAddress(hop.host());
    if (a != null) {
      host = a.getAddress();
      kind = a instanceof Inet6Address ? HOST_V6 : HOST_V4;
    } else {
      byte[] name = hop.host().getBytes(StandardCharsets.ISO_8859_1);
      if (name.length > 255) {
        return null;
      }
      host = new byte[name.length + 1];
      host[0] = (byte) name.length;
      System.arraycopy(name, 0, host, 1, name.length);
      kind = HOST_NAME;
    }
    boolean port = hop.port() > 0;
    boolean hasState = state != null && state.length > 0;
    boolean flow = hop.flow() != 0;
    boolean ext = hasState || flow;
    int n =
        2
            + host.length
            + (port ? 2 : 0)
            + (ext ? 1 : 0)
            + (flow ? 4 : 0)
            + (hasState ? state.length : 0);
    byte[] t = new byte[n + MAC_BYTES];
    SealKeys.Key k = keys.keys().get(0);
    t[0] = k.id();
    int transport = hop.protocol() == null ? 0 : hop.protocol().ordinal() + 1;
    t[1] =
        (byte)
            (kind
                | transport << 2
                | (hop.secure() ? SECURE : 0)
                | (port ? HAS_PORT : 0)
                | (ext ? EXTENSION : 0));
    System.arraycopy(host, 0, t, 2, host.length);
    int at = 2 + host.length;
    if (port) {
      t[at++] = (byte) (hop.port() >> 8);
      t[at++] = (byte) hop.port();
    }
    if (ext) {
      t[at++] = (byte) ((flow ? EXT_FLOW : 0) | (hasState ? state.length : 0));
    }
    if (flow) {
      int id = hop.flow();
      t[at++] = (byte) (id >> 24);
      t[at++] = (byte) (id >> 16);
      t[at++] = (byte) (id >> 8);
      t[at++] = (byte) id;
    }
    if (hasState) {
      System.arraycopy(state, 0, t, at, state.length);
    }
    Mac mac = macs.get()[0];
    mac.update(buf, callIdFrom, callIdTo - callIdFrom);
    mac.update((byte) 0);
    mac.update(t, 0, n);
    byte[] full = mac.doFinal();
    System.arraycopy(full, 0, t, n, MAC_BYTES);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(t);
  }

  /**
   * Opens a token read from {@code token[from, to)} for the dialog whose Call-ID is {@code
   * buf[callIdFrom, callIdTo)}.
   *
   * @return the sealed hop, or null when the token is malformed, truncated, sealed by a key this
   *     gateway does not hold, or for another dialog
   */
  public UriTarget open(byte[] token, int from, int to, byte[] buf, int callIdFrom, int callIdTo) {
    Opened o = openWithState(token, from, to, buf, callIdFrom, callIdTo);
    return o == null ? null : o.hop();
  }

  /**
   * Opens a token as {@link #open} does, with the dialog state sealed in it.
   *
   * @return the hop and the state, or null when the token does not open
   */
  public Opened openWithState(
      byte[] token, int from, int to, byte[] buf, int callIdFrom, int callIdTo) {
    if (to - from < 4 || to - from > 400) {
      return null;
    }
    byte[][] scratch = SCRATCH.get();
    byte[] t = scratch[0];
    int len = decode(token, from, to, t);
    if (len < 2 + MAC_BYTES) {
      return null;
    }
    int n = len - MAC_BYTES;
    int f = t[1] & 0xFF;
    int kind = f & 3;
    int hostLen =
        switch (kind) {
          case HOST_V4 -> 4;
          case HOST_V6 -> 16;
          case HOST_NAME -> 1 + (t[2] & 0xFF);
          default -> -1;
        };
    boolean port = (f & HAS_PORT) != 0;
    int extAt = 2 + hostLen + (port ? 2 : 0);
    boolean flow = false;
    int stateLen = 0;
    int end = extAt;
    if ((f & EXTENSION) != 0) {
      if (hostLen < 0 || extAt >= n) {
        return null;
      }
      int e = t[extAt] & 0xFF;
      flow = (e & EXT_FLOW) != 0;
      stateLen = e & ~EXT_FLOW;
      if ((!flow && stateLen == 0) || stateLen > MAX_STATE) {
        return null;
      }
      end = extAt + 1 + (flow ? 4 : 0) + stateLen;
    }
    if (hostLen < 0 || end != n) {
      return null;
    }
    int transport = (f >> 2) & 7;
    if (transport > TRANSPORTS.length) {
      return null;
    }
    if (!verify(t, n, buf, callIdFrom, callIdTo, scratch[1])) {
      return null;
    }
    String host;
    if (kind == HOST_NAME) {
      host = new String(t, 3, hostLen - 1, StandardCharsets.ISO_8859_1);
    } else {
      host = IpLiteral.uriHost(Arrays.copyOfRange(t, 2, 2 + hostLen));
    }
    int p = port ? ((t[2 + hostLen] & 0xFF) << 8) | (t[3 + hostLen] & 0xFF) : -1;
    int id = 0;
    if (flow) {
      int at = extAt + 1;
      id =
          (t[at] & 0xFF) << 24
              | (t[at + 1] & 0xFF) << 16
              | (t[at + 2] & 0xFF) << 8
              | (t[at + 3] & 0xFF);
      if (id == 0) {
        return null;
      }
    }
    return new Opened(
        new UriTarget(
            host, p, transport == 0 ? null : TRANSPORTS[transport - 1], (f & SECURE) != 0, id),
        stateLen == 0 ? null : Arrays.copyOfRange(t, n - stateLen, n));
  }

  /**
   * Seals a flow for a Path header value (RFC 3327, RFC 5626 section 5.2): a registrar stores it,
   * and requests routed to the registered contact through it reach the client's connection. Bound
   * to no dialog; {@link #openFlow} opens it.
   *
   * @param flow a hop with {@link UriTarget#flow()} set
   */
  public String sealFlow(UriTarget flow) {
    if (flow.flow() == 0) {
      throw new IllegalArgumentException("not a flow: " + flow);
    }
    return seal(NO_CALL_ID, 0, 0, flow);
  }

  /**
   * Opens a token of {@link #sealFlow}: the flow (its address, port, transport and number), or null
   * when the token does not open or names no flow.
   */
  public UriTarget openFlow(byte[] token, int from, int to) {
    UriTarget t = open(token, from, to, NO_CALL_ID, 0, 0);
    return t != null && t.flow() != 0 ? t : null;
  }

  /** Base64url without padding into {@code out}; -1 for a character outside the alphabet. */
  private static int decode(byte[] in, int from, int to, byte[] out) {
    int o = 0;
    int acc = 0;
    int bits = 0;
    for (int i = from; i < to; i++) {
      int c = in[i];
      int v = c >= 0 && c < 128 ? BASE64URL[c] : -1;
      if (v < 0) {
        return -1;
      }
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[o++] = (byte) (acc >> bits);
      }
    }
    // Leftover bits must be zero, and a single leftover character (6 bits) is no whole byte: a
    // canonical encoding only, so one token has one spelling.
    if (bits >= 6 || (acc & ((1 << bits) - 1)) != 0) {
      return -1;
    }
    return o;
  }

  /**
   * Where the value of the {@code s} parameter lies in a URI of ours: {@code from << 32 | to}, or
   * -1 when the URI has none. Allocates nothing.
   */
  public static long tokenRange(io.sbc.runtime.sip.message.SipUri u) {
    return paramRange(u, 's');
  }

  /**
   * Where the value of the one-letter parameter {@code name} (lower case) lies in a URI: {@code
   * from << 32 | to}, or -1 when the URI has none. Allocates nothing.
   */
  public static long paramRange(io.sbc.runtime.sip.message.SipUri u, char name) {
    int from = u.paramsStart();
    int to = u.paramsEnd();
    if (from < 0) {
      return -1;
    }
    byte[] b = u.buffer();
    byte lower = (byte) name;
    byte upper = (byte) Character.toUpperCase(name);
    for (int i = from; i < to - 2; i++) {
      if (b[i] == ';' && (b[i + 1] == lower || b[i + 1] == upper) && b[i + 2] == '=') {
        int st = i + 3;
        int e = st;
        while (e < to && b[e] != ';') {
          e++;
        }
        return ((long) st << 32) | e;
      }
    }
    return -1;
  }

  private boolean verify(byte[] t, int n, byte[] buf, int callIdFrom, int callIdTo, byte[] full) {
    List<SealKeys.Key> ks = keys.keys();
    Mac[] m = macs.get();
    for (int i = 0; i < ks.size(); i++) {
      if (ks.get(i).id() != t[0]) {
        continue;
      }
      Mac mac = m[i];
      mac.update(buf, callIdFrom, callIdTo - callIdFrom);
      mac.update((byte) 0);
      mac.update(t, 0, n);
      try {
        mac.doFinal(full, 0);
      } catch (javax.crypto.ShortBufferException e) {
        throw new IllegalStateException(e);
      }
      int diff = 0;
      for (int j = 0; j < MAC_BYTES; j++) {
        diff |= full[j] ^ t[n + j];
      }
      if (diff == 0) {
        return true;
      }
    }
    return false;
  }
}

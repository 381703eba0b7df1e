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
 * present), the host (4 or 16 address bytes, or a length and a name), the port (2 bytes, when
 * present), optionally a length and up to {@value #MAX_STATE} bytes of dialog state that other
 * layers give (opaque here: the media of the dialog), then the first {@value #MAC_BYTES} bytes of
 * HMAC-SHA256 over the Call-ID, a zero byte and everything before the MAC. An IPv4 hop with a port
 * takes 24 characters, 32 with five bytes of state.
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
  private static final int HAS_STATE = 1 << 7;

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
    int n = 2 + host.length + (port ? 2 : 0) + (hasState ? 1 + state.length : 0);
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
                | (hasState ? HAS_STATE : 0));
    System.arraycopy(host, 0, t, 2, host.length);
    int at = 2 + host.length;
    if (port) {
      t[at++] = (byte) (hop.port() >> 8);
      t[at++] = (byte) hop.port();
    }
    if (hasState) {
      t[at++] = (byte) state.length;
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
    int stateAt = 2 + hostLen + (port ? 2 : 0);
    int stateLen = 0;
    if ((f & HAS_STATE) != 0) {
      if (hostLen < 0 || stateAt >= n) {
        return null;
      }
      stateLen = t[stateAt] & 0xFF;
      if (stateLen == 0 || stateLen > MAX_STATE) {
        return null;
      }
      stateLen++;
    }
    if (hostLen < 0 || stateAt + stateLen != n) {
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
    return new Opened(
        new UriTarget(
            host, p, transport == 0 ? null : TRANSPORTS[transport - 1], (f & SECURE) != 0),
        stateLen == 0 ? null : Arrays.copyOfRange(t, stateAt + 1, stateAt + stateLen));
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

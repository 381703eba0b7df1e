package io.sbc.api.syntax;

import java.util.Arrays;

/**
 * An IPv4 or IPv6 network in CIDR notation ("192.0.2.0/24", "2001:db8::/32", or a bare address
 * meaning /32 or /128), with the host bits cleared.
 */
public final class IpNetwork {
  private final byte[] address;
  private final int prefixLength;

  private IpNetwork(byte[] address, int prefixLength) {
    this.address = address;
    this.prefixLength = prefixLength;
  }

  /**
   * Parses a network; the address is an IP literal as {@link IpLiteral} reads it (IPv6 without
   * brackets), the prefix length 0..32 or 0..128 in decimal. Host bits are allowed and cleared
   * ("192.0.2.7/24" is 192.0.2.0/24), as routers read such entries.
   *
   * @throws IllegalArgumentException saying what is wrong, for a configuration error message
   */
  public static IpNetwork parse(String text) {
    int slash = text.indexOf('/');
    String addr = slash < 0 ? text : text.substring(0, slash);
    if (addr.startsWith("[")) {
      throw new IllegalArgumentException(
          "write an IPv6 network without brackets (2001:db8::/32): " + text);
    }
    byte[] bytes = IpLiteral.toBytes(addr);
    if (bytes == null) {
      throw new IllegalArgumentException(
          "not an IPv4 or IPv6 network (address/prefix-length): " + text);
    }
    int max = bytes.length * 8;
    int len = max;
    if (slash >= 0) {
      String l = text.substring(slash + 1);
      if (l.isEmpty() || l.length() > 3 || !l.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("bad prefix length in " + text);
      }
      len = Integer.parseInt(l);
      if (len > max) {
        throw new IllegalArgumentException("prefix length must be 0.." + max + " in " + text);
      }
    }
    return new IpNetwork(mask(bytes, len), len);
  }

  /** The network address (host bits zero): 4 or 16 bytes, a copy. */
  public byte[] address() {
    return address.clone();
  }

  public int prefixLength() {
    return prefixLength;
  }

  public boolean isIpv4() {
    return address.length == 4;
  }

  /**
   * Whether the address (4 or 16 bytes) lies in this network; an IPv4-mapped IPv6 address counts as
   * its IPv4 address. Does not allocate.
   */
  public boolean contains(byte[] a) {
    int off = 0;
    if (a.length == 16 && address.length == 4 && IpLiteral.isIpv4Mapped(a)) {
      off = 12;
    } else if (a.length != address.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (a[off + i] != address[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    return rest == 0 || ((a[off + full] ^ address[full]) & (0xFF << (8 - rest)) & 0xFF) == 0;
  }

  /** The address with every bit after the first {@code len} cleared (a new array). */
  public static byte[] mask(byte[] a, int len) {
    byte[] m = a.clone();
    for (int i = 0; i < m.length; i++) {
      int bits = Math.max(0, Math.min(8, len - 8 * i));
      m[i] = (byte) (m[i] & (0xFF << (8 - bits)));
    }
    return m;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpNetwork n
        && prefixLength == n.prefixLength
        && Arrays.equals(address, n.address);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(address) + prefixLength;
  }

  /** "192.0.2.0/24", "2001:db8::/32". */
  @Override
  public String toString() {
    return IpLiteral.canonical(address) + "/" + prefixLength;
  }
}

package io.sbc.runtime.routing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A set of IPv4 and IPv6 networks in CIDR notation, tested against an address with one hash lookup
 * per distinct prefix length. Built once, then only read.
 */
public final class CidrSet {
  private final int[] lengths4;
  private final Set<Long> nets4;
  private final int[] lengths6;
  private final Set<String> nets6;

  private CidrSet(int[] lengths4, Set<Long> nets4, int[] lengths6, Set<String> nets6) {
    this.lengths4 = lengths4;
    this.nets4 = nets4;
    this.lengths6 = lengths6;
    this.nets6 = nets6;
  }

  /**
   * Parses "192.0.2.0/24", "2001:db8::/32" or a bare address (a /32 or /128).
   *
   * @throws IllegalArgumentException naming the entry that is not a network
   */
  public static CidrSet of(List<String> cidrs) {
    Set<Integer> l4 = new HashSet<>();
    Set<Integer> l6 = new HashSet<>();
    Set<Long> n4 = new HashSet<>();
    Set<String> n6 = new HashSet<>();
    for (String c : cidrs) {
      int slash = c.indexOf('/');
      String addr = slash < 0 ? c : c.substring(0, slash);
      byte[] bytes = io.netty.util.NetUtil.createByteArrayFromIpAddressString(addr);
      if (bytes == null) {
        throw new IllegalArgumentException("not an IP network: " + c);
      }
      int max = bytes.length * 8;
      int len;
      try {
        len = slash < 0 ? max : Integer.parseInt(c.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad prefix length in " + c);
      }
      if (len < 0 || len > max) {
        throw new IllegalArgumentException("prefix length out of range in " + c);
      }
      if (bytes.length == 4) {
        l4.add(len);
        n4.add(mask4(bytes, len));
      } else {
        l6.add(len);
        n6.add(mask6(bytes, len));
      }
    }
    return new CidrSet(sorted(l4), n4, sorted(l6), n6);
  }

  private static int[] sorted(Set<Integer> s) {
    int[] a = s.stream().mapToInt(Integer::intValue).toArray();
    Arrays.sort(a);
    return a;
  }

  public boolean isEmpty() {
    return nets4.isEmpty() && nets6.isEmpty();
  }

  public boolean contains(InetAddress address) {
    byte[] b = address.getAddress();
    if (b.length == 16 && isV4Mapped(b)) {
      b = Arrays.copyOfRange(b, 12, 16);
    }
    if (b.length == 4) {
      for (int len : lengths4) {
        if (nets4.contains(mask4(b, len))) {
          return true;
        }
      }
      return false;
    }
    for (int len : lengths6) {
      if (nets6.contains(mask6(b, len))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isV4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
  }

  private static long mask4(byte[] b, int len) {
    long v =
        ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
    long mask = len == 0 ? 0 : (0xFFFF_FFFFL << (32 - len)) & 0xFFFF_FFFFL;
    return ((long) len << 32) | (v & mask);
  }

  private static String mask6(byte[] b, int len) {
    byte[] m = b.clone();
    for (int i = 0; i < 16; i++) {
      int bits = Math.max(0, Math.min(8, len - 8 * i));
      m[i] = (byte) (m[i] & (0xFF << (8 - bits)));
    }
    try {
      return len + "/" + InetAddress.getByAddress(m).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Lists the networks, for messages. */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    out.add(nets4.size() + " IPv4 networks");
    out.add(nets6.size() + " IPv6 networks");
    return out;
  }
}

package io.sbc.runtime.routing;

import io.sbc.api.syntax.IpLiteral;
import io.sbc.api.syntax.IpNetwork;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * A set of IPv4 and IPv6 networks in CIDR notation, tested against an address with one binary
 * search per distinct prefix length, without allocating. Built once, then only read.
 */
public final class CidrSet {
  // Per distinct prefix length, longest first: the sorted network values. IPv4 networks are one
  // long each; IPv6 networks two (high and low 64 bits), sorted by (high, low).
  private final int[] lengths4;
  private final long[][] nets4;
  private final int[] lengths6;
  private final long[][] hi6;
  private final long[][] lo6;
  private final int count4;
  private final int count6;

  private CidrSet(
      int[] lengths4, long[][] nets4, int[] lengths6, long[][] hi6, long[][] lo6, int c4, int c6) {
    this.lengths4 = lengths4;
    this.nets4 = nets4;
    this.lengths6 = lengths6;
    this.hi6 = hi6;
    this.lo6 = lo6;
    this.count4 = c4;
    this.count6 = c6;
  }

  /**
   * Parses "192.0.2.0/24", "2001:db8::/32" or a bare address (a /32 or /128), as the validator
   * reads them ({@link IpNetwork}).
   *
   * @throws IllegalArgumentException naming the entry that is not a network
   */
  public static CidrSet of(List<String> cidrs) {
    TreeMap<Integer, List<long[]>> v4 = new TreeMap<>();
    TreeMap<Integer, List<long[]>> v6 = new TreeMap<>();
    for (String c : cidrs) {
      IpNetwork n = IpNetwork.parse(c);
      byte[] a = n.address();
      if (n.isIpv4()) {
        v4.computeIfAbsent(n.prefixLength(), k -> new ArrayList<>())
            .add(new long[] {word(a, 0, 4)});
      } else {
        v6.computeIfAbsent(n.prefixLength(), k -> new ArrayList<>())
            .add(new long[] {word(a, 0, 8), word(a, 8, 8)});
      }
    }
    int[] l4 = new int[v4.size()];
    long[][] n4 = new long[v4.size()][];
    int i = 0;
    int c4 = 0;
    for (var e : v4.descendingMap().entrySet()) {
      l4[i] = e.getKey();
      n4[i] = e.getValue().stream().mapToLong(x -> x[0]).sorted().distinct().toArray();
      c4 += n4[i].length;
      i++;
    }
    int[] l6 = new int[v6.size()];
    long[][] h6 = new long[v6.size()][];
    long[][] w6 = new long[v6.size()][];
    i = 0;
    int c6 = 0;
    for (var e : v6.descendingMap().entrySet()) {
      long[][] nets =
          e.getValue().stream()
              .sorted((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]))
              .toArray(long[][]::new);
      l6[i] = e.getKey();
      h6[i] = Arrays.stream(nets).mapToLong(x -> x[0]).toArray();
      w6[i] = Arrays.stream(nets).mapToLong(x -> x[1]).toArray();
      c6 += nets.length;
      i++;
    }
    return new CidrSet(l4, n4, l6, h6, w6, c4, c6);
  }

  private static long word(byte[] a, int from, int n) {
    long v = 0;
    for (int i = from; i < from + n; i++) {
      v = (v << 8) | (a[i] & 0xFF);
    }
    return v;
  }

  public boolean isEmpty() {
    return count4 == 0 && count6 == 0;
  }

  /**
   * Whether the address lies in one of the networks; an IPv4-mapped IPv6 address as IPv4. An IPv4
   * address is read without allocating: {@link Inet4Address#hashCode()} is its 32 bits (the JDK's
   * definition since 1.4; CidrSetTest pins it), where {@code getAddress()} copies them into a new
   * array on every call.
   */
  public boolean contains(InetAddress address) {
    if (address instanceof Inet4Address) {
      return count4 > 0 && contains4(address.hashCode() & 0xFFFF_FFFFL);
    }
    return contains(address.getAddress());
  }

  /** Whether the address (4 or 16 bytes) lies in one of the networks. */
  public boolean contains(byte[] b) {
    if (b.length == 16 && IpLiteral.isIpv4Mapped(b)) {
      return contains4(word(b, 12, 4));
    }
    if (b.length == 4) {
      return contains4(word(b, 0, 4));
    }
    long hi = word(b, 0, 8);
    long lo = word(b, 8, 8);
    for (int k = 0; k < lengths6.length; k++) {
      int len = lengths6[k];
      long mh = len >= 64 ? hi : len == 0 ? 0 : hi & (-1L << (64 - len));
      long ml = len <= 64 ? 0 : len == 128 ? lo : lo & (-1L << (128 - len));
      if (search6(hi6[k], lo6[k], mh, ml)) {
        return true;
      }
    }
    return false;
  }

  private boolean contains4(long v) {
    for (int k = 0; k < lengths4.length; k++) {
      int len = lengths4[k];
      long m = len == 0 ? 0 : v & ((0xFFFF_FFFFL << (32 - len)) & 0xFFFF_FFFFL);
      if (Arrays.binarySearch(nets4[k], m) >= 0) {
        return true;
      }
    }
    return false;
  }

  private static boolean search6(long[] hs, long[] ls, long h, long l) {
    int lo = 0;
    int hi = hs.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = hs[mid] != h ? Long.compare(hs[mid], h) : Long.compare(ls[mid], l);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return true;
      }
    }
    return false;
  }

  /** Lists the networks, for messages. */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    out.add(count4 + " IPv4 networks");
    out.add(count6 + " IPv6 networks");
    return out;
  }
}

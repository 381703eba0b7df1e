package io.sbc.runtime.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.api.syntax.IpLiteral;
import io.sbc.api.syntax.IpNetwork;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** sourceCidrs: networks as the validator reads them, searched without allocating. */
class CidrSetTest {

  static boolean in(CidrSet s, String address) {
    return s.contains(IpLiteral.toBytes(address));
  }

  @Test
  void boundaries() throws Exception {
    CidrSet s =
        CidrSet.of(
            List.of(
                "10.0.0.0/8",
                "192.0.2.7/24", // host bits cleared: 192.0.2.0/24
                "198.51.100.9",
                "2001:db8::/32",
                "2001:db8:ffff:1::/64",
                "fe80::1/128",
                "2001:db8:8000::/33"));
    assertTrue(in(s, "10.0.0.0"));
    assertTrue(in(s, "10.255.255.255"));
    assertFalse(in(s, "11.0.0.0"));
    assertFalse(in(s, "9.255.255.255"));
    assertTrue(in(s, "192.0.2.0"));
    assertTrue(in(s, "192.0.2.255"));
    assertFalse(in(s, "192.0.3.0"));
    assertTrue(in(s, "198.51.100.9"));
    assertFalse(in(s, "198.51.100.8"));
    assertTrue(in(s, "2001:db8::"));
    assertTrue(in(s, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
    assertFalse(in(s, "2001:db9::"));
    assertTrue(in(s, "fe80::1"));
    assertFalse(in(s, "fe80::2"));
    // An IPv4-mapped IPv6 source is its IPv4 address (dual-stack sockets report them so).
    assertTrue(in(s, "::ffff:10.1.2.3"));
    assertFalse(in(s, "::ffff:11.1.2.3"));
    assertTrue(s.contains(InetAddress.getByAddress(IpLiteral.toBytes("::ffff:192.0.2.9"))));
    assertEquals(List.of("3 IPv4 networks", "4 IPv6 networks"), s.describe());
    assertFalse(s.isEmpty());
  }

  @Test
  void everythingAndNothing() {
    CidrSet all = CidrSet.of(List.of("0.0.0.0/0", "::/0"));
    assertTrue(in(all, "255.255.255.255"));
    assertTrue(in(all, "::"));
    assertTrue(in(all, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
    CidrSet v4 = CidrSet.of(List.of("0.0.0.0/0"));
    assertFalse(in(v4, "2001:db8::1"));
    assertTrue(CidrSet.of(List.of()).isEmpty());
  }

  /** The same entries the validator refuses are refused, with the validator's words. */
  @Test
  void malformedEntries() {
    for (String bad :
        List.of("10.0.0/8", "[::1]", "2001:db8:::1/64", "10.0.0.0/33", "::/129", "1.2.3.4/x")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> CidrSet.of(List.of(bad)), bad);
      assertTrue(e.getMessage().contains(bad), e.getMessage());
    }
  }

  /** Random networks against random addresses, checked one network at a time. */
  @Test
  void agreesWithNetworkByNetworkChecks() throws Exception {
    SplittableRandom r = new SplittableRandom(4632);
    List<String> cidrs = new ArrayList<>();
    List<IpNetwork> nets = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      boolean v4 = r.nextBoolean();
      byte[] a = crowded(r, v4);
      // Long enough prefixes that a random address is in some networks and not in others.
      int len = v4 ? 8 + r.nextInt(25) : 16 + r.nextInt(113);
      String c = IpLiteral.canonical(a) + "/" + len;
      cidrs.add(c);
      nets.add(IpNetwork.parse(c));
    }
    CidrSet set = CidrSet.of(cidrs);
    int hits = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] a = crowded(r, r.nextBoolean());
      boolean expected = false;
      for (IpNetwork n : nets) {
        expected |= n.contains(a);
      }
      assertEquals(expected, set.contains(a), IpLiteral.canonical(a));
      // The same answer through an InetAddress (IPv4 read from hashCode, without allocating).
      assertEquals(expected, set.contains(InetAddress.getByAddress(a)), IpLiteral.canonical(a));
      hits += expected ? 1 : 0;
    }
    assertTrue(hits > 2_000 && hits < 18_000, "hits " + hits);
  }

  /**
   * contains(InetAddress) reads an IPv4 address from Inet4Address.hashCode(), which the JDK defines
   * as the address's 32 bits: if that ever changes, this fails rather than the lookups going wrong.
   */
  @Test
  void inet4AddressHashCodeIsTheAddress() throws Exception {
    for (String a : List.of("0.0.0.0", "127.0.0.5", "192.0.2.1", "255.255.255.255", "10.1.2.3")) {
      byte[] b = IpLiteral.toBytes(a);
      int bits =
          ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
      assertEquals(bits, InetAddress.getByAddress(b).hashCode(), a);
    }
    CidrSet s = CidrSet.of(List.of("255.255.255.0/24", "127.0.0.5"));
    assertTrue(s.contains(InetAddress.getByName("255.255.255.7")));
    assertTrue(s.contains(InetAddress.getByName("127.0.0.5")));
    assertFalse(s.contains(InetAddress.getByName("127.0.0.2")));
    assertFalse(s.contains(InetAddress.getByName("::1")));
  }

  /** Bytes from {0, 1, 2, 255}: a small space, so that random networks and addresses meet. */
  private static byte[] crowded(SplittableRandom r, boolean v4) {
    byte[] a = new byte[v4 ? 4 : 16];
    for (int i = 0; i < a.length; i++) {
      a[i] = (byte) new int[] {0, 1, 2, 255}[r.nextInt(4)];
    }
    return a;
  }
}

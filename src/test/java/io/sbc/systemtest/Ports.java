package io.sbc.systemtest;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Hands out distinct local ports per test, away from 5060 so that the tests do not clash with
 * anything a user runs: proxy 15060-15079, callers (UAC) 15080-15089, callees (UAS) 15090-15129,
 * the SBC's management HTTP 15130-15149, name servers (dnsmasq) 15150-15159. A port is only handed
 * out when both UDP and TCP can bind it on 127.0.0.1 right now.
 */
final class Ports {
  private static final Range PROXY = new Range(15060, 15080);
  private static final Range UAC = new Range(15080, 15090);
  private static final Range UAS = new Range(15090, 15130);
  private static final Range MANAGEMENT = new Range(15130, 15150);
  private static final Range DNS = new Range(15150, 15160);

  private Ports() {}

  static int proxy() {
    return PROXY.next();
  }

  static int uac() {
    return UAC.next();
  }

  static int uas() {
    return UAS.next();
  }

  /** For the SBC's management HTTP server (quarkus.http.port): /sbc/status, /q/metrics. */
  static int management() {
    return MANAGEMENT.next();
  }

  /** For a name server the test starts (dnsmasq). */
  static int dns() {
    return DNS.next();
  }

  static boolean isFree(int port) {
    InetAddress lo = InetAddress.getLoopbackAddress();
    try (DatagramSocket u = new DatagramSocket(null);
        ServerSocket t = new ServerSocket()) {
      u.bind(new InetSocketAddress(lo, port));
      t.bind(new InetSocketAddress(lo, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static final class Range {
    private final int from;
    private final int to;
    private int next;

    Range(int from, int to) {
      this.from = from;
      this.to = to;
      this.next = from;
    }

    synchronized int next() {
      for (int i = 0; i < to - from; i++) {
        int p = next;
        next = next + 1 >= to ? from : next + 1;
        if (isFree(p)) {
          return p;
        }
      }
      throw new IllegalStateException("no free port in " + from + "-" + (to - 1));
    }
  }
}

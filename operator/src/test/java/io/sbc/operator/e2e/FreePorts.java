package io.sbc.operator.e2e;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Local ports for the end-to-end test, 25060-25259 (away from 5060 and from the system tests'
 * 15060-15129): a port is handed out only when both UDP and TCP can bind it on 127.0.0.1 now.
 */
final class FreePorts {
  private static final int FROM = 25060;
  private static final int TO = 25260;
  private static int next = FROM;

  private FreePorts() {}

  static synchronized int next() {
    for (int i = 0; i < TO - FROM; i++) {
      int p = next;
      next = next + 1 >= TO ? FROM : next + 1;
      if (isFree(p)) {
        return p;
      }
    }
    throw new IllegalStateException("no free port in " + FROM + "-" + (TO - 1));
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
}

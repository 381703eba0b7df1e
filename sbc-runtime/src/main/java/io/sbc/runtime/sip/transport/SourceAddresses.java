package io.sbc.runtime.sip.transport;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local address the kernel sends from to reach a destination (its routing table's choice),
 * which a wildcard listener advertises. Found by connecting an unbound UDP socket, which asks the
 * routing table and sends nothing; answers are cached for a minute.
 */
public final class SourceAddresses {
  private static final int MAX_ENTRIES = 4096;
  private static final long TTL_NANOS = 60_000_000_000L;

  private record Entry(InetAddress source, long at) {}

  private final ConcurrentHashMap<InetAddress, Entry> cache = new ConcurrentHashMap<>();

  /** The source address for {@code destination}, or null when no route reaches it. */
  public InetAddress sourceFor(InetAddress destination) {
    long now = System.nanoTime();
    Entry e = cache.get(destination);
    if (e != null && now - e.at < TTL_NANOS) {
      return e.source;
    }
    InetAddress s = lookup(destination);
    if (cache.size() >= MAX_ENTRIES) {
      cache.clear(); // many destinations at once: keep memory bounded, relearn the busy ones
    }
    cache.put(destination, new Entry(s, now));
    return s;
  }

  static InetAddress lookup(InetAddress destination) {
    StandardProtocolFamily family =
        destination instanceof Inet6Address
            ? StandardProtocolFamily.INET6
            : StandardProtocolFamily.INET;
    try (DatagramChannel ch = DatagramChannel.open(family)) {
      // A UDP connect only selects a route and a source address: no packet leaves.
      ch.connect(new InetSocketAddress(destination, 9));
      InetAddress a = ((InetSocketAddress) ch.getLocalAddress()).getAddress();
      return a.isAnyLocalAddress() ? null : a;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}

package io.sbc.runtime.sip.locate;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * How next-hop names are resolved.
 *
 * @param servers the name servers, asked in order; empty: those of /etc/resolv.conf
 * @param queryTimeoutMillis how long a query waits before the next server is asked
 * @param negativeCacheSeconds how long a name without records of a type is remembered as such
 */
public record DnsSettings(
    List<InetSocketAddress> servers, int queryTimeoutMillis, int negativeCacheSeconds) {
  public DnsSettings {
    servers = List.copyOf(servers);
  }

  /** The defaults of the model: /etc/resolv.conf, 2 s per query, 30 s for a missing name. */
  public static final DnsSettings DEFAULT =
      new DnsSettings(
          List.of(),
          io.sbc.api.Defaults.DNS_QUERY_TIMEOUT_MILLIS,
          io.sbc.api.Defaults.DNS_NEGATIVE_CACHE_SECONDS);
}

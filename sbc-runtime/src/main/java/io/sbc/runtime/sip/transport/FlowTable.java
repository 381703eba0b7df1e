package io.sbc.runtime.sip.transport;

import java.net.InetSocketAddress;

/**
 * The connections peers opened to this SBC, by flow number (RFC 5626 section 5.2): what a flow
 * token names, found again while the connection is open.
 */
@FunctionalInterface
public interface FlowTable {
  /** No flows (a proxy without stream listeners, tests): every flow token has failed. */
  FlowTable NONE = (id, remote) -> null;

  /**
   * The open flow numbered {@code id} from {@code remote}, or null when it is closed or was never
   * this process's (RFC 5626 section 5.3: the flow failed).
   */
  Flow flow(int id, InetSocketAddress remote);
}

package io.sbc.api;

import java.util.ArrayList;
import java.util.List;

/** A fleet of SBC instances and the listeners they serve (Gateway API: Gateway). */
public class SipGateway extends SipResource {
  public static final String KIND = "SipGateway";

  public Spec spec = new Spec();

  /** What the gateway serves and how it behaves. */
  public static class Spec {
    /** The addresses, ports and transports served; at least one. */
    public List<Listener> listeners = new ArrayList<>();

    /** Further host names that mean this gateway in Request-URIs and Route headers. */
    public List<String> domains = new ArrayList<>();

    /** Proxy behaviour. */
    public Proxy proxy = new Proxy();

    /** RFC 3261 timer values. */
    public Timers timers = new Timers();

    /** Limits on message sizes and connections. */
    public Limits limits = new Limits();
  }

  /** One listener (Gateway API: Listener). */
  public static class Listener {
    public String name;

    /** One of {@link Defaults#PROTOCOLS}. */
    public String protocol;

    /** IPv4 or IPv6 address to bind; defaults to {@link Defaults#LISTENER_ADDRESS}. */
    public String address = Defaults.LISTENER_ADDRESS;

    public Integer port;

    /** Host written into Via and Record-Route instead of the bind address (e.g. behind NAT). */
    public String advertisedAddress;
  }

  /** Proxy behaviour. */
  public static class Proxy {
    /** "stateful" (transactions, failover) or "stateless" (RFC 3261 section 16.11). */
    public String mode = Defaults.PROXY_MODE;

    /** Max-Forwards added to requests that carry none. */
    public Integer maxForwards = Defaults.MAX_FORWARDS;
  }

  /** Timer values in milliseconds (RFC 3261 table 4 and section 16.6 timer C). */
  public static class Timers {
    public Integer t1 = Defaults.T1;
    public Integer t2 = Defaults.T2;
    public Integer t4 = Defaults.T4;
    public Integer timerC = Defaults.TIMER_C;
  }

  /** Message and connection limits. */
  public static class Limits {
    public Integer maxMessageSize = Defaults.MAX_MESSAGE_SIZE;
    public Integer maxHeaders = Defaults.MAX_HEADERS;
    public Integer maxTcpConnections = Defaults.MAX_TCP_CONNECTIONS;
    public Integer tcpIdleTimeoutSeconds = Defaults.TCP_IDLE_TIMEOUT_SECONDS;
  }
}

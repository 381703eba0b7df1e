package io.sbc.api;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** A pool of destinations with a selection algorithm and health probing (a backend pool). */
public class SipDispatcher extends SipResource {
  public static final String KIND = "SipDispatcher";

  public Spec spec = new Spec();

  /** The destinations, how one is chosen, and how their health is probed. */
  public static class Spec {
    @Required
    @Size(min = 1, max = 1024) // the runtime's limit; bounds the cost of the rule below
    @ValidationRule(
        value = "self.all(d, has(d.uri) != has(d.serviceRef))",
        message = "each destination gives either uri or serviceRef")
    public List<Destination> destinations = new ArrayList<>();

    /**
     * RoundRobin, Weighted, Hash, LeastActive, Random or Priority (the lowest priority value that
     * is up, the others as failover).
     */
    @Pattern("^(RoundRobin|Weighted|Hash|LeastActive|Random|Priority)$")
    public String algorithm = Defaults.DISPATCH_ALGORITHM;

    /** For Hash: CallID, FromUser or RequestUriUser. */
    @Pattern("^(CallID|FromUser|RequestUriUser)$")
    public String hashKey = Defaults.HASH_KEY;

    public Probe probe = new Probe();
  }

  /**
   * One destination with a weight and a priority: a SIP URI, or (in a cluster) a Kubernetes Service
   * whose ready endpoints the operator turns into one URI each. Exactly one of the two.
   */
  public static class Destination {
    /**
     * A sip: URI; its host an IP address, or a host name resolved as RFC 3263 says (NAPTR, SRV,
     * A/AAAA) each time its records' TTL runs out.
     */
    @Pattern("^sip:.+")
    public String uri;

    /**
     * In a cluster: a Service, resolved by the operator through its EndpointSlices (a file-based
     * runtime refuses it).
     */
    public ServiceRef serviceRef;

    @Min(0)
    @Max(1000)
    public Integer weight = Defaults.WEIGHT;

    @Min(0)
    @Max(1000)
    public Integer priority = Defaults.PRIORITY;
  }

  /**
   * A Kubernetes Service as a destination: every ready endpoint address of it becomes {@code
   * sip:IP:PORT} (with {@code ;transport=tcp} for TCP), the endpoint port being the one that serves
   * the named Service port.
   */
  public static class ServiceRef {
    /** The Service's name. */
    @Required public String name;

    /** The Service's namespace; the dispatcher's by default. */
    public String namespace;

    /** The Service port, by number (5060) or by name (sip). */
    @Required public IntOrName port;

    /** UDP or TCP: the transport of the URIs, and the protocol of the Service port. */
    @Pattern("^(UDP|TCP)$")
    public String transport = Defaults.SERVICE_REF_TRANSPORT;
  }

  /**
   * OPTIONS probing: every {@code intervalMillis}, a probe unanswered within {@code timeoutMillis}
   * or answered with a failure code fails; {@code failureThreshold} failures in a row take a
   * destination out, {@code successThreshold} successes in a row bring it back.
   */
  public static class Probe {
    public Boolean enabled = true;

    @Min(100)
    @Max(3_600_000)
    public Integer intervalMillis = Defaults.PROBE_INTERVAL_MILLIS;

    @Min(50)
    @Max(60_000)
    public Integer timeoutMillis = Defaults.PROBE_TIMEOUT_MILLIS;

    @Min(1)
    @Max(100)
    public Integer failureThreshold = Defaults.PROBE_FAILURE_THRESHOLD;

    @Min(1)
    @Max(100)
    public Integer successThreshold = Defaults.PROBE_SUCCESS_THRESHOLD;
  }
}

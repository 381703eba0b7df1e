package io.sbc.api;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** A pool of destinations with a selection algorithm and health probing (a backend pool). */
public class SipDispatcher extends SipResource {
  public static final String KIND = "SipDispatcher";

  public Spec spec = new Spec();

  /** The destinations, how one is chosen, and how their health is probed. */
  public static class Spec {
    @Required
    @Size(min = 1)
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

  /** One destination: a SIP URI with a weight and a priority. */
  public static class Destination {
    @Required
    @Pattern("^sip:.+")
    public String uri;

    @Min(0)
    @Max(1000)
    public Integer weight = Defaults.WEIGHT;

    @Min(0)
    @Max(1000)
    public Integer priority = Defaults.PRIORITY;
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

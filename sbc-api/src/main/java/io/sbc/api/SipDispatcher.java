package io.sbc.api;

import java.util.ArrayList;
import java.util.List;

/** A pool of destinations with a selection algorithm and health probing (a backend pool). */
public class SipDispatcher extends SipResource {
  public static final String KIND = "SipDispatcher";

  public Spec spec = new Spec();

  /** The destinations, how one is chosen, and how their health is probed. */
  public static class Spec {
    public List<Destination> destinations = new ArrayList<>();

    /**
     * RoundRobin, Weighted, Hash, LeastActive, Random or Priority (the lowest priority value that
     * is up, the others as failover).
     */
    public String algorithm = Defaults.DISPATCH_ALGORITHM;

    /** For Hash: CallID, FromUser or RequestUriUser. */
    public String hashKey = Defaults.HASH_KEY;

    public Probe probe = new Probe();
  }

  /** One destination: a SIP URI with a weight and a priority. */
  public static class Destination {
    public String uri;
    public Integer weight = Defaults.WEIGHT;
    public Integer priority = Defaults.PRIORITY;
  }

  /**
   * OPTIONS probing: every {@code intervalMillis}, a probe unanswered within {@code timeoutMillis}
   * or answered with a failure code fails; {@code failureThreshold} failures in a row take a
   * destination out, {@code successThreshold} successes in a row bring it back.
   */
  public static class Probe {
    public Boolean enabled = true;
    public Integer intervalMillis = Defaults.PROBE_INTERVAL_MILLIS;
    public Integer timeoutMillis = Defaults.PROBE_TIMEOUT_MILLIS;
    public Integer failureThreshold = Defaults.PROBE_FAILURE_THRESHOLD;
    public Integer successThreshold = Defaults.PROBE_SUCCESS_THRESHOLD;
  }
}

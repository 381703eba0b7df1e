package io.sbc.api;

import java.util.ArrayList;
import java.util.List;

/** Routing rules attached to gateways (Gateway API: HTTPRoute). */
public class SipRoute extends SipResource {
  public static final String KIND = "SipRoute";

  public Spec spec = new Spec();

  /** The gateways the rules apply to, and the rules in order. */
  public static class Spec {
    public List<ParentRef> parentRefs = new ArrayList<>();
    public List<Rule> rules = new ArrayList<>();
  }

  /** A reference to a SipGateway by name (and namespace, default: the route's). */
  public static class ParentRef {
    public String name;
    public String namespace;
  }

  /**
   * One rule: when any of its matches applies (all when there are none), forward to its backends.
   */
  public static class Rule {
    public String name;

    /** Matches, OR'd; fields within one match AND'd. Empty: the rule matches every request. */
    public List<Match> matches = new ArrayList<>();

    /** Whether this SBC stays on the dialog's path (Record-Route). */
    public Boolean recordRoute = Defaults.RECORD_ROUTE;

    /** "serial" (failover in order on 5xx, 408, timeout) or "parallel" (fork to all). */
    public String forking = Defaults.FORKING;

    /** Destinations, in failover order. */
    public List<BackendRef> backendRefs = new ArrayList<>();
  }

  /** Conditions on a request. */
  public static class Match {
    /** Request methods (any when empty). */
    public List<String> methods = new ArrayList<>();
  }

  /** A destination: a SIP URI (IP address, port, transport parameter). */
  public static class BackendRef {
    public String uri;
  }
}

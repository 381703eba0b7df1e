package io.sbc.api;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/**
 * Routing rules attached to gateways (Gateway API: HTTPRoute).
 *
 * <p><b>Which rule applies.</b> Every rule of every SipRoute attached to a gateway competes; among
 * the rules with a match that applies, the most specific wins, then the earlier one:
 *
 * <ol>
 *   <li>a match on the Request-URI user of type Exact;
 *   <li>a match on the Request-URI user of type Prefix, the longest prefix first;
 *   <li>a match on the Request-URI user of type RegularExpression;
 *   <li>any other rule;
 * </ol>
 *
 * and within one of these classes, the rule with more conditions first, then document order (routes
 * in the order they are read, rules in the order written; in a cluster the operator writes the
 * routes oldest first by creationTimestamp, then by name, as Gateway API resolves conflicts).
 *
 * <p><b>When nothing applies.</b> A request for a domain the gateway serves (its {@code domains},
 * its listener and advertised addresses) is answered 404; a request for any other domain 403 ("not
 * relaying"). Rules only apply to requests for served domains unless they set {@code allowRelay}:
 * the SBC is no open relay by default.
 *
 * <p><b>In-dialog requests.</b> A request with a To tag whose top Route is this gateway's
 * Record-Route goes where the token in that value says (sealed when the dialog was created), not
 * through the rules. One without such a Route is refused with 403, unless a rule with {@code
 * allowInDialog} matches it. Route values an initial request arrives with are removed: routing
 * decides where it goes.
 */
public class SipRoute extends SipResource {
  public static final String KIND = "SipRoute";

  public Spec spec = new Spec();

  /** The gateways the rules apply to, and the rules in order. */
  public static class Spec {
    @Required
    @Size(min = 1)
    public List<ParentRef> parentRefs = new ArrayList<>();

    @Required
    @Size(min = 1)
    public List<Rule> rules = new ArrayList<>();
  }

  /** A reference to a SipGateway by name (and namespace, default: the route's). */
  public static class ParentRef {
    @Required public String name;

    public String namespace;

    /**
     * One listener of the gateway, by name (Gateway API's sectionName): the route then serves only
     * requests that arrive on it. Unset: every listener.
     */
    public String sectionName;
  }

  /**
   * One rule: matches (OR'd; every condition of one match AND'd; none: every request), filters
   * applied in order, then exactly one action: {@code backendRefs} (forward), {@code reject},
   * {@code redirect} or {@code respond}.
   */
  @ValidationRule(
      value =
          "(has(self.backendRefs) && size(self.backendRefs) > 0 ? 1 : 0) + (has(self.reject) ? 1"
              + " : 0) + (has(self.redirect) ? 1 : 0) + (has(self.respond) ? 1 : 0) == 1",
      message =
          "a rule needs exactly one action: backendRefs (at least one), reject, redirect or"
              + " respond")
  public static class Rule {
    public String name;

    public List<Match> matches = new ArrayList<>();

    /** Changes to the request before it is forwarded, in order. */
    public List<Filter> filters = new ArrayList<>();

    /** Whether this SBC stays on the dialog's path (Record-Route). */
    public Boolean recordRoute = Defaults.RECORD_ROUTE;

    /**
     * "serial": one destination at a time, lowest priority value first, weighted within a priority,
     * failing over on the failover codes; "parallel": every destination at once.
     */
    @Pattern("^(serial|parallel)$")
    public String forking = Defaults.FORKING;

    /** Destinations: SIP URIs or SipDispatchers, each with a weight and a priority. */
    public List<BackendRef> backendRefs = new ArrayList<>();

    /** When a destination's answer makes the next one be tried (serial forking). */
    public Failover failover = new Failover();

    /** Answer the request with this status instead of forwarding it. */
    public Reject reject;

    /** Answer with a 3xx and these Contacts. */
    public Redirect redirect;

    /** Answer locally (for example OPTIONS keep-alives) with this status. */
    public Respond respond;

    /** Whether the rule also applies to requests for domains the gateway does not serve. */
    public Boolean allowRelay = false;

    /**
     * Whether the rule also applies to in-dialog requests (with a To tag) that carry no verified
     * Route of this gateway, such as requests from peers that do not keep Record-Route. Without it
     * such requests are refused with 403: a dialog the SBC record-routed is followed through the
     * token of its Record-Route, never through an address the request names.
     */
    public Boolean allowInDialog = false;

    /** Topology hiding for the calls this rule forwards; the gateway's when not set. */
    public TopologyHiding topologyHiding;

    /** NAT traversal for the calls this rule forwards; the gateway's when not set. */
    public NatTraversal nat;

    /**
     * Media anchoring on RTPengine for the calls this rule forwards; the gateway's {@code
     * spec.media.anchoring} when not set (only when the gateway has media instances).
     */
    public MediaAnchoring media;

    /**
     * Call admission control for the calls (initial INVITEs) this rule forwards: none when unset.
     * Counted by each replica of the gateway for the calls it carries.
     */
    public CallLimits callLimits;

    /**
     * The registrar's part in this rule, instead of an action: Register (the REGISTERs it matches
     * are handled by the gateway's registrar) or Lookup (requests go to the contacts registered for
     * their Request-URI, or an alias of it; 480 when none). Needs spec.registrar on the gateway.
     */
    @Pattern("^(Register|Lookup)$")
    public String registrar;

    /** Who may use this rule: digest authentication, trusted source networks, or both. */
    public Authentication authentication;
  }

  /**
   * Who may use a rule (RFC 3261 section 22). With digest, requests from other sources than
   * trustedSources are challenged (401 for REGISTER, 407 otherwise) against the gateway's
   * subscribers; without digest only trustedSources are let through (403 for others).
   */
  public static class Authentication {
    /** Challenge requests that do not come from trustedSources. */
    public Boolean digest = true;

    /** Networks (trunks that cannot authenticate) whose requests pass without a challenge. */
    public List<String> trustedSources = new ArrayList<>();

    /** Whether the From user of an authenticated request must be the authenticated username. */
    public Boolean checkFrom = true;
  }

  /**
   * Limits on the calls a rule forwards (Kamailio's dialog profiles); a call over one is answered
   * 503 with Retry-After and goes nowhere. A call counts from its INVITE until the INVITE fails or
   * its BYE is answered (or the gateway's limits.maxCallSeconds pass).
   */
  public static class CallLimits {
    /** Calls in progress at once (ringing or answered). */
    @Min(1)
    @Max(10_000_000)
    public Integer maxCalls;

    /** New calls per second, in bursts of as many. */
    @Min(1)
    @Max(1_000_000)
    public Integer maxCallsPerSecond;

    /** Calls in progress at once from one source address. */
    @Min(1)
    @Max(10_000_000)
    public Integer maxCallsPerSource;

    /** The Retry-After, in seconds, of the 503 a refused call gets. */
    @Min(0)
    @Max(86_400)
    public Integer retryAfterSeconds = Defaults.CALL_LIMIT_RETRY_AFTER_SECONDS;
  }

  /** Conditions on a request; every condition given must hold. */
  public static class Match {
    /** Request methods (any when empty). */
    public List<String> methods = new ArrayList<>();

    /** The Request-URI. */
    public UriMatch requestUri;

    /** The From URI. */
    public UriMatch from;

    /** The To URI. */
    public UriMatch to;

    /** Header conditions, all of which must hold. */
    public List<HeaderMatch> headers = new ArrayList<>();

    /** Source address networks (CIDR); the request's source must be in one. */
    public List<String> sourceCidrs = new ArrayList<>();

    /** Names of the gateway listeners the request must have arrived on. */
    public List<String> listeners = new ArrayList<>();

    /** Transports the request must have arrived over (UDP, TCP, TLS). */
    public List<String> transports = new ArrayList<>();
  }

  /** Conditions on the user and host parts of a URI. */
  public static class UriMatch {
    public StringMatch user;
    public StringMatch host;
  }

  /**
   * A string condition: Exact, Prefix or RegularExpression (RE2 syntax, linear time, matching the
   * whole value).
   */
  public static class StringMatch {
    @Pattern("^(Exact|Prefix|RegularExpression)$")
    public String type = Defaults.STRING_MATCH_TYPE;

    @Required public String value;
  }

  /** A header condition: Present, Exact or RegularExpression on its (first) value. */
  public static class HeaderMatch {
    @Required public String name;

    @Pattern("^(Present|Exact|RegularExpression)$")
    public String type = Defaults.HEADER_MATCH_TYPE;

    public String value;
  }

  /**
   * One change to the request, of the given type: RewriteUser, RequestHeaderModifier,
   * RewriteRequestUri or RecordRoute; the field of that name holds its settings.
   */
  public static class Filter {
    @Required
    @Pattern("^(RewriteUser|RequestHeaderModifier|RewriteRequestUri|RecordRoute)$")
    public String type;

    public RewriteUser rewriteUser;
    public RequestHeaderModifier requestHeaderModifier;
    public RewriteRequestUri rewriteRequestUri;
    public RecordRoute recordRoute;
  }

  /**
   * A dialplan step on the Request-URI user: strip leading characters, then replace by pattern,
   * then add a prefix.
   */
  public static class RewriteUser {
    /** How many leading characters to remove. */
    @Min(0)
    public Integer stripPrefix = 0;

    /**
     * An RE2 regular expression over the user and its replacement ($1 or ${name} for groups, every
     * match replaced); the result must be a valid URI user or the request is answered.
     */
    public Replace replace;

    /** Characters put in front. */
    public String addPrefix;
  }

  /** A pattern replacement. */
  public static class Replace {
    public String pattern;
    public String substitution;
  }

  /** Header edits: add (another value), set (replace all), remove (all of that name). */
  public static class RequestHeaderModifier {
    public List<Header> add = new ArrayList<>();
    public List<Header> set = new ArrayList<>();
    public List<String> remove = new ArrayList<>();
  }

  /** A header name and value. */
  public static class Header {
    @Required public String name;

    public String value;
  }

  /** Sets the host and/or port of the Request-URI. */
  public static class RewriteRequestUri {
    public String host;

    @Min(1)
    @Max(65535)
    public Integer port;
  }

  /** Turns Record-Route on or off for the rule. */
  public static class RecordRoute {
    public Boolean enabled = true;
  }

  /**
   * A destination: a SIP URI ({@code uri}) or a SipDispatcher ({@code kind: SipDispatcher} and
   * {@code name}). Lower priority values are tried first; destinations of one priority are tried in
   * the order written when their weights are equal (primary, then backup), else in a weighted
   * random order.
   */
  @ValidationRule(
      value = "has(self.uri) != (has(self.kind) || has(self.name))",
      message = "give either uri or kind with name, not both")
  public static class BackendRef {
    /**
     * A sip: or sips: URI; its host an IP address, or a host name resolved as RFC 3263 says (a
     * trunk named by its domain reaches its SRV targets in priority and weight order, and fails
     * over across them). sips: or {@code ;transport=tls} sends over TLS, the server's certificate
     * checked against the host.
     */
    public String uri;

    /**
     * SipDispatcher; in a cluster the operator also knows Service (not resolved yet: reported in
     * the route's status, and refused in a configuration file).
     */
    @Pattern("^(SipDispatcher|Service)$")
    public String kind;

    public String name;
    public String namespace;

    @Min(0)
    @Max(1000)
    public Integer weight = Defaults.WEIGHT;

    @Min(0)
    @Max(1000)
    public Integer priority = Defaults.PRIORITY;
  }

  /** Which answers make serial forking try the next destination. */
  public static class Failover {
    /**
     * Status codes ("503") or classes ("5xx"); a timeout or transport failure always counts as 408.
     */
    public List<String> codes = new ArrayList<>(Defaults.FAILOVER_CODES);
  }

  /** A local rejection. */
  public static class Reject {
    @Min(400)
    @Max(699)
    public Integer statusCode = 403;

    public String reason;
  }

  /** A local redirection (RFC 3261 8.3): a 3xx with Contact headers. */
  public static class Redirect {
    @Min(300)
    @Max(399)
    public Integer statusCode = 302;

    public List<String> contacts = new ArrayList<>();
  }

  /** A local answer. */
  public static class Respond {
    @Min(200)
    @Max(699)
    public Integer statusCode = 200;

    public String reason;
  }
}

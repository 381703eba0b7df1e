package io.sbc.api;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A fleet of SBC instances and the listeners they serve (Gateway API: Gateway). */
public class SipGateway extends SipResource {
  public static final String KIND = "SipGateway";

  public Spec spec = new Spec();

  /** What the gateway serves and how it behaves. */
  public static class Spec {
    /** The addresses, ports and transports served; at least one. */
    @Required
    @Size(min = 1)
    public List<Listener> listeners = new ArrayList<>();

    /** Further host names that mean this gateway in Request-URIs and Route headers. */
    public List<String> domains = new ArrayList<>();

    /** Proxy behaviour. */
    public Proxy proxy = new Proxy();

    /** RFC 3261 timer values. */
    public Timers timers = new Timers();

    /** Limits on message sizes and connections. */
    public Limits limits = new Limits();

    /**
     * The secret the gateway's replicas share to seal what they write into SIP messages (the
     * Record-Route tokens that decide where in-dialog requests go): any replica opens what another
     * sealed, and a restarted one still can. Without it each process makes up its own, and dialogs
     * do not survive a restart or move between replicas. In a cluster the operator creates and
     * mounts one.
     */
    public Sealing sealing;

    /**
     * How the SBC connects over TLS to next hops; the JDK's trust store and no client certificate
     * when unset.
     */
    public Tls.Client tlsClient;

    /**
     * Topology hiding for every call through the gateway (a route's rule may set its own); off
     * unless set.
     */
    public TopologyHiding topologyHiding = new TopologyHiding();

    /** NAT traversal for every call through the gateway (a route's rule may set its own). */
    public NatTraversal nat = new NatTraversal();

    /**
     * Per-source request rate limits with temporary bans (Kamailio's pike): off unless set ({@code
     * antiFlood: {}} turns it on with the defaults). Checked before a message is parsed.
     */
    public AntiFlood antiFlood;

    /** Requests from SIP scanners (by User-Agent) dropped without an answer; on by default. */
    public Scanners scanners = new Scanners();

    /**
     * How host names of next hops are resolved (RFC 3263: NAPTR, SRV, then A/AAAA records): the
     * name servers of /etc/resolv.conf unless servers are given here.
     */
    public Dns dns = new Dns();

    /**
     * In a cluster: how many SBC pods run (ignored when {@code autoscaling} is set); a local run
     * serves with one process.
     */
    @Min(0)
    @Max(1000)
    public Integer replicas = Defaults.REPLICAS;

    /**
     * In a cluster: scale the pods between minReplicas and maxReplicas on their SIP load (active
     * calls per pod, through the custom metrics API) or on the CPU of the SBC container.
     */
    public Autoscaling autoscaling;

    /**
     * Call admission control for the whole gateway: calls in progress and new calls per second
     * across all its replicas. In a cluster the operator gives each replica its share, ceil(limit /
     * replicas), and recomputes it when the number of replicas changes (an autoscaler's too); a
     * local run is one replica with the whole limit. None when unset.
     */
    public GatewayCallLimits callLimits;

    /** In a cluster: ClusterIP, NodePort or LoadBalancer (externalTrafficPolicy Local). */
    @Pattern("^(ClusterIP|NodePort|LoadBalancer)$")
    public String serviceType = Defaults.SERVICE_TYPE;

    /** In a cluster: CPU and memory requests and limits of each SBC container. */
    public Resources resources;

    /**
     * In a cluster: how long a stopping pod may drain (finish calls in progress) before it is
     * killed.
     */
    @Min(0)
    @Max(86_400)
    public Integer terminationGracePeriodSeconds = Defaults.TERMINATION_GRACE_PERIOD_SECONDS;

    /**
     * In a cluster: how the gateway's Service and pods are placed (cloud load balancer settings,
     * scheduling); ignored by a local run.
     */
    public Infrastructure infrastructure;

    /**
     * Media relaying through RTPengine (a sidecar in each SBC pod, or external instances); none
     * when unset.
     */
    @ValidationRule(
        value =
            "!has(self.rtpPortMin) || !has(self.rtpPortMax) || self.rtpPortMin <= self.rtpPortMax",
        message = "rtpPortMax must not be below rtpPortMin")
    public Media media;

    /**
     * The registrar (RFC 3261 section 10) and digest authentication (section 22): which domains'
     * users register here, the limits on their bindings and the subscribers who may authenticate.
     * No registrar when unset. Rules use it with {@code registrar: Register} or {@code Lookup} and
     * {@code authentication}.
     */
    public Registrar registrar;
  }

  /**
   * The gateway's registrar. Bindings are kept in memory by each replica (a database is the
   * persistence issue's); the realm of each domain is the domain itself.
   */
  public static class Registrar {
    /** The domains whose users register here; every domain of spec.domains when empty. */
    public List<String> domains = new ArrayList<>();

    /** The shortest registration accepted, in seconds: shorter ones get 423 with Min-Expires. */
    @Min(1)
    @Max(86_400)
    public Integer minExpires = Defaults.REGISTRAR_MIN_EXPIRES;

    /** The longest registration granted, in seconds: longer ones are shortened to it. */
    @Min(1)
    @Max(604_800)
    public Integer maxExpires = Defaults.REGISTRAR_MAX_EXPIRES;

    /** The expiry of a Contact that asks for none, in seconds (RFC 3261 section 10.3 step 7). */
    @Min(1)
    @Max(604_800)
    public Integer defaultExpires = Defaults.REGISTRAR_DEFAULT_EXPIRES;

    /** The most contacts one address-of-record may have. */
    @Min(1)
    @Max(1000)
    public Integer maxContactsPerAor = Defaults.REGISTRAR_MAX_CONTACTS_PER_AOR;

    /**
     * What a REGISTER that would pass maxContactsPerAor gets: ReplaceOldest (its oldest bindings
     * go) or Reject (403).
     */
    @Pattern("^(ReplaceOldest|Reject)$")
    public String whenFull = Defaults.REGISTRAR_WHEN_FULL;

    /** The most bindings a replica holds, whoever registers them (503 beyond). */
    @Min(1)
    @Max(10_000_000)
    public Integer maxBindings = Defaults.REGISTRAR_MAX_BINDINGS;

    /**
     * How a request to an address-of-record reaches its contacts: parallel (all at once) or serial
     * (highest q first, the next on failure).
     */
    @Pattern("^(serial|parallel)$")
    public String forking = Defaults.REGISTRAR_FORKING;

    /**
     * The digest algorithms offered, in order of preference (RFC 7616 section 3.7: one challenge
     * each, the preferred first): SHA-256 and MD5. Clients that read only the first challenge and
     * know only MD5 (SIPp 3.6) need MD5 first.
     */
    public List<String> digestAlgorithms = new ArrayList<>(List.of("SHA-256", "MD5"));

    /** How long a digest nonce is accepted, in seconds; after it the client is told stale=true. */
    @Min(10)
    @Max(3600)
    public Integer nonceLifetimeSeconds = Defaults.REGISTRAR_NONCE_LIFETIME_SECONDS;

    /** Failed authentications from one source address within a minute before it is blocked. */
    @Min(1)
    @Max(100_000)
    public Integer maxAuthFailures = Defaults.REGISTRAR_MAX_AUTH_FAILURES;

    /** How long a source that failed too often is blocked, in seconds (0: never blocked). */
    @Min(0)
    @Max(86_400)
    public Integer authFailureBlockSeconds = Defaults.REGISTRAR_AUTH_FAILURE_BLOCK_SECONDS;

    /** Who may authenticate. */
    public List<Subscriber> subscribers = new ArrayList<>();

    /** Users of served domains (DIDs, short names) that stand for an address-of-record. */
    public List<Alias> aliases = new ArrayList<>();
  }

  /**
   * One subscriber's credentials: HA1 hashes (RFC 7616 section 3.4.2, H(username:realm:password) in
   * hex) or a file holding the password (a mounted Secret), hashed when the configuration is loaded
   * and never kept. The realm is the domain.
   */
  public static class Subscriber {
    /** The username, also the user part of the address-of-record. */
    @Required public String username;

    /** The domain the subscriber belongs to; the registrar's first domain when unset. */
    public String domain;

    /** HA1 with MD5: 32 hex digits. */
    public String ha1;

    /** HA1 with SHA-256: 64 hex digits. */
    public String ha1Sha256;

    /** A file whose content (without a final line break) is the password. */
    public String passwordFile;
  }

  /** A user of a served domain (a DID, a short name) standing for an address-of-record. */
  public static class Alias {
    /** The Request-URI user, for example a DID such as +4930123456. */
    @Required public String user;

    /** The address-of-record it reaches, sip:user@domain. */
    @Required public String aor;
  }

  /**
   * Media relaying through RTPengine, driven over its ng control protocol. With mode Sidecar every
   * SBC pod runs RTPengine in userspace beside the SBC, listening for the ng protocol on
   * 127.0.0.1:2223 and relaying RTP on the pod address within the per-pod port range; with mode
   * External the SBC drives the RTPengine instances listed (weighted, health checked with {@code
   * ping}); with None (the default) media is not touched.
   */
  public static class Media {
    /** None (no relaying), Sidecar (RTPengine in each SBC pod) or External (instances listed). */
    @Pattern("^(None|Sidecar|External)$")
    public String mode = Defaults.MEDIA_MODE;

    /** The RTPengine image of a sidecar; the operator's sbc.operator.rtpengine-image by default. */
    public String image;

    /**
     * Further arguments of the sidecar's {@code rtpengine} command (Sidecar), after those the
     * operator sets (which they may not repeat: interface, ng/CLI/HTTP listeners, port range,
     * table, foreground, logging target), e.g. {@code --log-level=5}, {@code --delete-delay=0}.
     */
    public List<String> args = new ArrayList<>();

    /** CPU and memory of the sidecar container (Sidecar); unset: none requested or limited. */
    public Resources resources;

    /** The lowest RTP port of each pod's range (Sidecar). */
    @Min(1024)
    @Max(65535)
    public Integer rtpPortMin = Defaults.RTP_PORT_MIN;

    /** The highest RTP port of each pod's range (Sidecar). */
    @Min(1024)
    @Max(65535)
    public Integer rtpPortMax = Defaults.RTP_PORT_MAX;

    /**
     * The IP address RTPengine writes into SDP instead of the pod's (e.g. behind NAT); IPv6 without
     * brackets (Sidecar).
     */
    public String advertisedAddress;

    /**
     * The RTPengine instances of mode External, each with its ng control address and a weight. A
     * call's instance is chosen by a hash of its Call-ID (weighted rendezvous hashing), so every
     * replica sends a call's commands to the same instance; an instance that fails is skipped until
     * its {@code ping} is answered again.
     */
    public List<MediaInstance> instances = new ArrayList<>();

    /** How the calls of the gateway are anchored (a route's rule may set its own). */
    public MediaAnchoring anchoring = new MediaAnchoring();

    /** How long one ng command waits for its answer before it is sent again, in milliseconds. */
    @Min(50)
    @Max(10_000)
    public Integer timeoutMillis = Defaults.MEDIA_TIMEOUT_MILLIS;

    /** How many times an unanswered command is sent again (same cookie) before it fails. */
    @Min(0)
    @Max(10)
    public Integer retries = Defaults.MEDIA_RETRIES;

    /** How often every instance gets a {@code ping}, in seconds. */
    @Min(1)
    @Max(3600)
    public Integer pingIntervalSeconds = Defaults.MEDIA_PING_INTERVAL_SECONDS;
  }

  /** One RTPengine instance: where its ng protocol listens, and its share of the calls. */
  public static class MediaInstance {
    /** IP:port of the ng control socket (UDP), e.g. 127.0.0.1:2223 or [2001:db8::1]:2223. */
    @Required public String address;

    /** Its share of new calls relative to the others (0: only when no other is up). */
    @Min(0)
    @Max(1000)
    public Integer weight = Defaults.WEIGHT;
  }

  /**
   * Sealing secrets: the current one seals and opens; the previous ones still open what they
   * sealed, while a rotation is under way. Each is given inline or as a file (a mounted Secret); a
   * file's whole content is the secret. At least {@link Defaults#MIN_SEALING_SECRET_BYTES} bytes of
   * random.
   */
  public static class Sealing {
    /** The current secret (prefer {@code secretFile}: the configuration is not a secret store). */
    public String secret;

    /** A file whose content is the current secret. */
    public String secretFile;

    /** Earlier secrets still accepted. */
    public List<String> previousSecrets = new ArrayList<>();

    /** Files holding earlier secrets still accepted. */
    public List<String> previousSecretFiles = new ArrayList<>();
  }

  /**
   * A token bucket per source address: each request takes a token, {@code requestsPerSecond} come
   * back every second up to {@code burst}; a request that finds none is dropped, and its source is
   * banned for {@code banSeconds} (every message from it dropped). Counted per event loop, so a
   * source whose packets the kernel spreads over several loops' sockets (many source ports) gets up
   * to that many times the rate before it is cut.
   */
  public static class AntiFlood {
    /** Requests per second a source may keep sending. */
    @Min(1)
    @Max(1_000_000)
    public Integer requestsPerSecond = Defaults.ANTI_FLOOD_REQUESTS_PER_SECOND;

    /** Requests a source may send at once after a quiet period (the bucket's size). */
    @Min(1)
    @Max(1_000_000)
    public Integer burst = Defaults.ANTI_FLOOD_BURST;

    /** Seconds a source over the limit is banned; 0 drops only what is over the limit. */
    @Min(0)
    @Max(86_400)
    public Integer banSeconds = Defaults.ANTI_FLOOD_BAN_SECONDS;

    /**
     * Source networks (CIDR, or bare addresses) never limited nor banned: trunks, load balancers,
     * other SBCs.
     */
    public List<String> exempt = new ArrayList<>();
  }

  /**
   * SIP scanners (friendly-scanner, sipvicious, sipcli...) recognized by their User-Agent: their
   * requests are dropped without an answer, so the scan learns nothing.
   */
  public static class Scanners {
    /** Whether requests whose User-Agent names a scanner are dropped. */
    public Boolean block = Defaults.SCANNERS_BLOCK;

    /**
     * Further User-Agent substrings (case-insensitive) that mark a scanner, besides {@link
     * Defaults#SCANNER_USER_AGENTS}.
     */
    public List<String> userAgents = new ArrayList<>();
  }

  /**
   * Where and how a gateway runs in a cluster, beyond its SIP settings: the Service's cloud load
   * balancer and the pods' scheduling.
   */
  public static class Infrastructure {
    /** Annotations on the Service (the cloud load balancer's own settings go here). */
    public java.util.Map<String, String> serviceAnnotations = new java.util.LinkedHashMap<>();

    /** The Service's loadBalancerClass (which load balancer implementation serves it). */
    public String loadBalancerClass;

    /** Source CIDRs the load balancer admits (loadBalancerSourceRanges); empty: any. */
    public List<String> loadBalancerSourceRanges = new ArrayList<>();

    /** A static address for the load balancer (spec.loadBalancerIP, where the cloud honours it). */
    public String loadBalancerIP;

    /** The pods' nodeSelector. */
    public java.util.Map<String, String> nodeSelector = new java.util.LinkedHashMap<>();

    /** The pods' tolerations. */
    public List<Toleration> tolerations = new ArrayList<>();

    /**
     * Spread the pods across zones (topology.kubernetes.io/zone, max skew 1, best effort), so that
     * one zone's loss takes part of the gateway, not all of it.
     */
    public Boolean spreadAcrossZones = false;
  }

  /** A Kubernetes toleration. */
  public static class Toleration {
    public String key;

    @Pattern("^(Exists|Equal)$")
    public String operator;

    public String value;

    @Pattern("^(NoSchedule|PreferNoSchedule|NoExecute)$")
    public String effect;

    public Integer tolerationSeconds;
  }

  /**
   * DNS resolution of next hops named by host name (backendRefs, dispatcher destinations, Route and
   * Contact hosts): answers are kept for their TTL, names without records for {@code
   * negativeCacheSeconds}.
   */
  public static class Dns {
    /**
     * Name servers as "IP" or "IP:port" ("[IPv6]:port"), asked in order; empty: the nameserver
     * lines of /etc/resolv.conf.
     */
    public List<String> servers = new ArrayList<>();

    /** How long one query waits for its answer before the next server is asked. */
    @Min(100)
    @Max(30_000)
    public Integer queryTimeoutMillis = Defaults.DNS_QUERY_TIMEOUT_MILLIS;

    /**
     * How long a name without records of a type (NXDOMAIN, no data) is remembered as such; a server
     * that does not answer is asked again after at most 5 seconds.
     */
    @Min(0)
    @Max(3600)
    public Integer negativeCacheSeconds = Defaults.DNS_NEGATIVE_CACHE_SECONDS;
  }

  /**
   * Horizontal scaling (a HorizontalPodAutoscaler) on active calls per pod when {@code
   * targetActiveCallsPerPod} is set, else on the CPU of the SBC container (which then needs {@code
   * spec.resources.requests.cpu}: utilization is a percentage of the request).
   */
  @ValidationRule(
      value = "!has(self.minReplicas) || self.minReplicas <= self.maxReplicas",
      message = "maxReplicas must not be below minReplicas")
  public static class Autoscaling {
    @Min(1)
    @Max(1000)
    public Integer minReplicas = 1;

    @Required
    @Min(1)
    @Max(1000)
    public Integer maxReplicas;

    /**
     * Average CPU use of the SBC container, in percent of its request, that the autoscaler aims at
     * (a ContainerResource metric); used when {@code targetActiveCallsPerPod} is not set.
     */
    @Min(1)
    @Max(100)
    public Integer targetCPUUtilizationPercentage = Defaults.TARGET_CPU_UTILIZATION_PERCENTAGE;

    /**
     * Calls in progress per pod that the autoscaler aims at: the pods' metric {@code
     * sbc_calls_active} read through the custom metrics API (custom.metrics.k8s.io), which needs a
     * metrics adapter in the cluster (prometheus-adapter, KEDA) serving the pods' Prometheus
     * metric. Replaces CPU as the metric when set.
     */
    @Min(1)
    @Max(1_000_000)
    public Integer targetActiveCallsPerPod;
  }

  /**
   * Limits on the calls of the whole gateway; a new call over one is answered 503 with Retry-After
   * before anything is forwarded, whatever rule routed it.
   */
  public static class GatewayCallLimits {
    /** Calls in progress at once, across the replicas. */
    @Min(1)
    @Max(10_000_000)
    public Integer maxCalls;

    /** New calls (initial INVITEs admitted) per second, across the replicas. */
    @Min(1)
    @Max(1_000_000)
    public Integer maxCallsPerSecond;

    /** The Retry-After of the 503 a refused call gets. */
    @Min(0)
    @Max(86_400)
    public Integer retryAfterSeconds = Defaults.CALL_LIMIT_RETRY_AFTER_SECONDS;
  }

  /** Kubernetes quantities by resource name ("cpu": "500m", "memory": "512Mi"). */
  public static class Resources {
    public Map<String, String> requests = new LinkedHashMap<>();
    public Map<String, String> limits = new LinkedHashMap<>();
  }

  /** One listener (Gateway API: Listener). */
  public static class Listener {
    @Required public String name;

    /** One of {@link Defaults#PROTOCOLS}. */
    @Required
    @Pattern("^(SIP-UDP|SIP-TCP|SIP-TLS|SIP-WS|SIP-WSS)$")
    public String protocol;

    /** IPv4 or IPv6 address to bind; defaults to {@link Defaults#LISTENER_ADDRESS}. */
    public String address = Defaults.LISTENER_ADDRESS;

    @Required
    @Min(1)
    @Max(65535)
    public Integer port;

    /**
     * Host written into Via and Record-Route instead of the bind address (e.g. behind NAT): a host
     * name or an IP address, IPv6 without brackets.
     */
    public String advertisedAddress;

    /**
     * Source networks (CIDR, or bare addresses) heard on this listener; empty: every source. Others
     * are dropped silently (UDP) or their connections closed at once (TCP).
     */
    public List<String> allow = new ArrayList<>();

    /** Source networks never heard on this listener, even when {@code allow} admits them. */
    public List<String> deny = new ArrayList<>();

    /** Certificates and client checks; required for SIP-TLS, refused for other protocols. */
    public Tls.Listener tls;
  }

  /** Proxy behaviour. */
  public static class Proxy {
    /** "stateful" (transactions, failover) or "stateless" (RFC 3261 section 16.11). */
    @Pattern("^(stateful|stateless)$")
    public String mode = Defaults.PROXY_MODE;

    /** Max-Forwards added to requests that carry none. */
    @Min(1)
    @Max(255)
    public Integer maxForwards = Defaults.MAX_FORWARDS;
  }

  /**
   * Timer values in milliseconds (RFC 3261 table 4, section 16.6 timer C). timerC must be at least
   * 64*t1 unless it is 180000 or more; timerD applies to UDP only (reliable transports use 0).
   */
  public static class Timers {
    @Min(10)
    @Max(60_000)
    public Integer t1 = Defaults.T1;

    @Min(10)
    @Max(600_000)
    public Integer t2 = Defaults.T2;

    @Min(10)
    @Max(600_000)
    public Integer t4 = Defaults.T4;

    @Min(1000)
    @Max(3_600_000)
    public Integer timerC = Defaults.TIMER_C;

    /** How long an INVITE branch absorbs retransmitted non-2xx finals (RFC 3261 17.1.1.2). */
    @Min(32_000)
    @Max(600_000)
    public Integer timerD = Defaults.TIMER_D;
  }

  /** Message and connection limits. */
  public static class Limits {
    @Min(1024)
    @Max(65_535)
    public Integer maxMessageSize = Defaults.MAX_MESSAGE_SIZE;

    @Min(16)
    @Max(4096)
    public Integer maxHeaders = Defaults.MAX_HEADERS;

    /** Accepted (inbound) TCP connections open at once; one more is closed at accept. */
    @Min(1)
    @Max(1_000_000)
    public Integer maxTcpConnections = Defaults.MAX_TCP_CONNECTIONS;

    /** TCP connections the SBC opens (to next hops) at once; a send needing one more fails. */
    @Min(1)
    @Max(1_000_000)
    public Integer maxOutboundTcpConnections = Defaults.MAX_OUTBOUND_TCP_CONNECTIONS;

    /**
     * Accepted TCP connections from one source address; one more is closed at accept. Behind a NAT
     * or a load balancer that hides client addresses, raise it.
     */
    @Min(1)
    @Max(1_000_000)
    public Integer maxTcpConnectionsPerSource = Defaults.MAX_TCP_CONNECTIONS_PER_SOURCE;

    /** Seconds without a byte after which a TCP connection is closed. */
    @Min(1)
    @Max(86_400)
    public Integer tcpIdleTimeoutSeconds = Defaults.TCP_IDLE_TIMEOUT_SECONDS;

    /**
     * Seconds a TCP message may take from its first byte to its last, and an accepted connection to
     * bring its first message; past them the connection is closed.
     */
    @Min(1)
    @Max(3600)
    public Integer tcpMessageTimeoutSeconds = Defaults.TCP_MESSAGE_TIMEOUT_SECONDS;

    /**
     * Seconds without a byte from a WebSocket client after which the SBC sends it a WebSocket ping
     * (RFC 6455 section 5.5.2); the pong keeps the connection from the idle timeout, a client that
     * stops answering is closed once {@code tcpIdleTimeoutSeconds} passed.
     */
    @Min(1)
    @Max(3600)
    public Integer webSocketPingSeconds = Defaults.WEBSOCKET_PING_SECONDS;

    /** Bytes queued for writing on one TCP connection; a send past them closes the connection. */
    @Min(65_535)
    @Max(8_388_608)
    public Integer maxTcpWriteQueueBytes = Defaults.MAX_TCP_WRITE_QUEUE_BYTES;

    /**
     * Seconds an answered call is counted without a BYE: then it is forgotten (a BYE that took
     * another path, a lost one), in active calls and in call limits alike.
     */
    @Min(60)
    @Max(604_800)
    public Integer maxCallSeconds = Defaults.MAX_CALL_SECONDS;
  }
}

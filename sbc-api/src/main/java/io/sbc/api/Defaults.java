package io.sbc.api;

import java.util.List;

/** Every default of the model, written down in one place. */
public final class Defaults {
  private Defaults() {}

  public static final List<String> PROTOCOLS =
      List.of("SIP-UDP", "SIP-TCP", "SIP-TLS", "SIP-WS", "SIP-WSS");

  /** The listener protocols that carry TLS, and so need {@code tls} settings. */
  public static final List<String> TLS_PROTOCOLS = List.of("SIP-TLS", "SIP-WSS");

  public static final String TLS_CLIENT_CERTIFICATE = "None";

  /**
   * Where the operator mounts the Secrets a TLS listener's certificateRefs name (one directory per
   * Secret, holding tls.crt and tls.key); the environment variable overrides it.
   */
  public static final String TLS_CERTIFICATES_DIR = "/etc/sbc/tls";

  public static final String TLS_CERTIFICATES_DIR_ENV = "SBC_TLS_CERTIFICATES_DIR";

  /** How often certificate files are checked for a change (their size, time and content hash). */
  public static final int TLS_RELOAD_CHECK_SECONDS = 5;

  public static final String LISTENER_ADDRESS = "0.0.0.0";
  public static final String PROXY_MODE = "stateful";
  public static final int MAX_FORWARDS = 70;
  public static final int T1 = 500;
  public static final int T2 = 4000;
  public static final int T4 = 5000;
  public static final int TIMER_C = 180_000;

  /** RFC 3261 table 4: "> 32s for UDP" (section 17.1.1.2: "at least 32 seconds"). */
  public static final int TIMER_D = 32_000;

  public static final int MAX_MESSAGE_SIZE = 65_535;
  public static final int MAX_HEADERS = 256;
  public static final int MAX_TCP_CONNECTIONS = 10_000;
  public static final int MAX_OUTBOUND_TCP_CONNECTIONS = 10_000;
  public static final int MAX_TCP_CONNECTIONS_PER_SOURCE = 64;
  public static final int TCP_IDLE_TIMEOUT_SECONDS = 300;

  /** Under the 60 s after which common NATs and load balancers forget an idle connection. */
  public static final int WEBSOCKET_PING_SECONDS = 30;

  public static final int TCP_MESSAGE_TIMEOUT_SECONDS = 10;
  public static final int MAX_TCP_WRITE_QUEUE_BYTES = 1 << 20;

  /** Six hours: longer than any sane call; a call nobody ended is counted until then. */
  public static final int MAX_CALL_SECONDS = 6 * 3600;

  /** RFC 3261 21.5.4: a 503 may say when to retry; a few seconds spreads the retries out. */
  public static final int CALL_LIMIT_RETRY_AFTER_SECONDS = 5;

  /** How long one DNS query waits before the next name server is asked. */
  public static final int DNS_QUERY_TIMEOUT_MILLIS = 2000;

  /** How long a name without records is remembered (RFC 2308 negative caching). */
  public static final int DNS_NEGATIVE_CACHE_SECONDS = 30;

  public static final List<String> NAT_TESTS =
      List.of("PrivateContact", "ContactMismatch", "ViaMismatch", "PrivateSource");
  public static final int NAT_KEEPALIVE_SECONDS = 20;

  // spec.antiFlood, when set: a phone or a small PBX stays far below; a trunk or a load balancer
  // sending from one address needs more, or a place in exempt.
  public static final int ANTI_FLOOD_REQUESTS_PER_SECOND = 50;
  public static final int ANTI_FLOOD_BURST = 100;
  public static final int ANTI_FLOOD_BAN_SECONDS = 60;

  /**
   * Source addresses the anti-flood tables of one event loop track at once; older idle ones make
   * room for new ones, so memory stays bounded whatever the number of sources.
   */
  public static final int ANTI_FLOOD_TRACKED_SOURCES = 16_384;

  public static final boolean SCANNERS_BLOCK = true;

  /** User-Agent substrings of well-known SIP scanners (matched case-insensitively). */
  public static final List<String> SCANNER_USER_AGENTS =
      List.of("friendly-scanner", "sipvicious", "sipcli");

  /** The longest User-Agent substring accepted in spec.scanners.userAgents. */
  public static final int MAX_SCANNER_USER_AGENT_LENGTH = 128;

  /** The shortest sealing secret accepted: 128 bits. */
  public static final int MIN_SEALING_SECRET_BYTES = 16;

  /**
   * The environment variable that gives a wildcard listener without advertisedAddress the address
   * to advertise (the operator sets the pod's address).
   */
  public static final String ADVERTISED_ADDRESS_ENV = "SBC_ADVERTISED_ADDRESS";

  /**
   * The environment variable that gives listeners the port to advertise when peers reach them on
   * another port than they bind (a NodePort Service): {@code LISTENER=PORT,...} by listener name.
   */
  public static final String ADVERTISED_PORTS_ENV = "SBC_ADVERTISED_PORTS";

  /**
   * The environment variable naming the file of the sealing secret when the configuration has no
   * {@code spec.sealing} (the operator mounts the gateway's Secret there).
   */
  public static final String SEALING_SECRET_FILE_ENV = "SBC_SEALING_SECRET_FILE";

  /** Likewise, the previous secret still accepted during a rotation (used when the file exists). */
  public static final String SEALING_PREVIOUS_SECRET_FILE_ENV = "SBC_SEALING_PREVIOUS_SECRET_FILE";

  public static final boolean RECORD_ROUTE = true;
  public static final String FORKING = "serial";
  public static final String STRING_MATCH_TYPE = "Exact";
  public static final String HEADER_MATCH_TYPE = "Present";
  public static final List<String> STRING_MATCH_TYPES =
      List.of("Exact", "Prefix", "RegularExpression");
  public static final List<String> HEADER_MATCH_TYPES =
      List.of("Present", "Exact", "RegularExpression");

  /** The transports a match can name (a listener's protocol without "SIP-"). */
  public static final List<String> TRANSPORTS = List.of("UDP", "TCP", "TLS");

  /** The transports of a serviceRef's endpoints (the protocol of a Service port). */
  public static final List<String> SERVICE_REF_TRANSPORTS = List.of("UDP", "TCP");

  public static final List<String> FILTER_TYPES =
      List.of("RewriteUser", "RequestHeaderModifier", "RewriteRequestUri", "RecordRoute");
  public static final int WEIGHT = 1;
  public static final int PRIORITY = 0;
  public static final List<String> FAILOVER_CODES = List.of("5xx", "408");
  public static final String DISPATCH_ALGORITHM = "RoundRobin";
  public static final List<String> DISPATCH_ALGORITHMS =
      List.of("RoundRobin", "Weighted", "Hash", "LeastActive", "Random", "Priority");
  public static final String HASH_KEY = "CallID";
  public static final List<String> HASH_KEYS = List.of("CallID", "FromUser", "RequestUriUser");
  public static final int PROBE_INTERVAL_MILLIS = 5000;
  public static final int PROBE_TIMEOUT_MILLIS = 2000;
  public static final int PROBE_FAILURE_THRESHOLD = 2;
  public static final int PROBE_SUCCESS_THRESHOLD = 1;

  // In a cluster only (the operator's Deployment, Service and HorizontalPodAutoscaler).
  public static final int REPLICAS = 1;
  public static final String SERVICE_TYPE = "ClusterIP";
  public static final List<String> SERVICE_TYPES = List.of("ClusterIP", "NodePort", "LoadBalancer");
  public static final int TERMINATION_GRACE_PERIOD_SECONDS = 60;

  /**
   * The environment variable giving a stopping runtime its drain period in seconds (the operator
   * sets the grace period less the preStop pause and {@link #DRAIN_MARGIN_SECONDS}).
   */
  public static final String DRAIN_SECONDS_ENV = "SBC_DRAIN_SECONDS";

  /** Seconds kept between the end of a drain and the grace period's kill, to stop cleanly. */
  public static final int DRAIN_MARGIN_SECONDS = 5;

  public static final int TARGET_CPU_UTILIZATION_PERCENTAGE = 70;
  public static final String SERVICE_REF_TRANSPORT = "UDP";
  public static final String MEDIA_MODE = "None";
  public static final List<String> MEDIA_MODES = List.of("None", "Sidecar", "External");

  /** Where a sidecar RTPengine listens for the ng protocol (the pod's loopback). */
  public static final String MEDIA_SIDECAR_NG = "127.0.0.1:2223";

  /** The environment variable that overrides the sidecar's ng address (the operator sets it). */
  public static final String MEDIA_NG_ENV = "SBC_RTPENGINE_NG";

  public static final boolean MEDIA_ANCHORING_ENABLED = true;
  public static final boolean MEDIA_REPLACE_ORIGIN = true;
  public static final boolean MEDIA_REPLACE_SESSION_CONNECTION = true;
  public static final boolean MEDIA_RECORD_CALL = false;
  public static final String MEDIA_ON_FAILURE = "Reject";
  public static final List<String> MEDIA_ON_FAILURES = List.of("Reject", "Continue");
  public static final List<String> MEDIA_ICE = List.of("Remove", "Force", "Default");
  public static final List<String> MEDIA_TRANSPORT_PROTOCOLS =
      List.of(
          "RTP/AVP", "RTP/AVPF", "RTP/SAVP", "RTP/SAVPF", "UDP/TLS/RTP/SAVP", "UDP/TLS/RTP/SAVPF");

  /** Kamailio's rtpengine module waits 1 s and tries 5 times; a call setup should not wait 5 s. */
  public static final int MEDIA_TIMEOUT_MILLIS = 500;

  public static final int MEDIA_RETRIES = 2;
  public static final int MEDIA_PING_INTERVAL_SECONDS = 5;
  public static final int RTP_PORT_MIN = 30_000;
  public static final int RTP_PORT_MAX = 30_999;

  public static final int REGISTRAR_MIN_EXPIRES = 60;
  public static final int REGISTRAR_MAX_EXPIRES = 3600;
  public static final int REGISTRAR_DEFAULT_EXPIRES = 3600;
  public static final int REGISTRAR_MAX_CONTACTS_PER_AOR = 10;
  public static final String REGISTRAR_WHEN_FULL = "ReplaceOldest";
  public static final int REGISTRAR_MAX_BINDINGS = 1_000_000;
  public static final String REGISTRAR_FORKING = "parallel";
  public static final int REGISTRAR_NONCE_LIFETIME_SECONDS = 300;
  public static final int REGISTRAR_MAX_AUTH_FAILURES = 20;
  public static final int REGISTRAR_AUTH_FAILURE_BLOCK_SECONDS = 60;
}

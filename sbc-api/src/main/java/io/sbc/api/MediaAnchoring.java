package io.sbc.api;

import io.fabric8.generator.annotation.Pattern;
import java.util.ArrayList;
import java.util.List;

/**
 * How the calls of a gateway (or of one route's rule) are anchored on RTPengine: whether their SDP
 * goes through it, and what it rewrites. The names follow RTPengine's ng protocol (the {@code
 * replace}, {@code ICE}, {@code transport protocol} and {@code record call} keys), so a Kamailio
 * user finds the flags of {@code rtpengine_manage()}. A rule's settings replace the gateway's as a
 * whole.
 */
public class MediaAnchoring {
  /** Anchor the media of these calls on RTPengine (SDP offers and answers rewritten). */
  public Boolean enabled = Defaults.MEDIA_ANCHORING_ENABLED;

  /** Replace the address of the SDP origin (o=) line with RTPengine's. */
  public Boolean replaceOrigin = Defaults.MEDIA_REPLACE_ORIGIN;

  /** Replace the session-level connection (c=) line with RTPengine's. */
  public Boolean replaceSessionConnection = Defaults.MEDIA_REPLACE_SESSION_CONNECTION;

  /**
   * ICE candidates: Remove (stripped, for SIP trunks), Force (RTPengine the only candidate, for
   * WebRTC), or Default (RTPengine's default: forced when the offer had ICE). Unset: Default.
   */
  @Pattern("^(Remove|Force|Default)$")
  public String ice;

  /**
   * The transport protocol written into the forwarded SDP (RTPengine translates): RTP/AVP,
   * RTP/AVPF, RTP/SAVP, RTP/SAVPF, UDP/TLS/RTP/SAVP or UDP/TLS/RTP/SAVPF (DTLS-SRTP). Unset: as
   * offered.
   */
  public String transportProtocol;

  /** Ask RTPengine to record the call (its own recording settings apply). */
  public Boolean recordCall = Defaults.MEDIA_RECORD_CALL;

  /**
   * When no RTPengine answers (or every instance is down): Reject (the INVITE gets 503, or 500 when
   * the command fails otherwise) or Continue (the call goes on without anchoring, its SDP
   * untouched).
   */
  @Pattern("^(Reject|Continue)$")
  public String onFailure = Defaults.MEDIA_ON_FAILURE;

  /**
   * Further RTPengine flags passed in the {@code flags} list as they are (for example {@code
   * strict-source}, {@code symmetric}, codec options such as {@code codec-strip-PCMA}); each a word
   * of letters, digits and {@code - _ . / = :}.
   */
  public List<String> flags = new ArrayList<>();

  /**
   * The media address per direction: two RTPengine interface names (its {@code --interface=NAME/IP}
   * options, e.g. {@code [internal, external]}), the one facing the caller, then the one facing the
   * callee. RTPengine's {@code direction}: the callee's SDP then names the second interface's
   * address, the caller's the first's; offers from the callee's side (its re-INVITEs) swap them.
   * Unset: RTPengine's default interface for both.
   */
  public List<String> direction;
}

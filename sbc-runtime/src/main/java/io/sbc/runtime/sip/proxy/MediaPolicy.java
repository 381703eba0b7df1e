package io.sbc.runtime.sip.proxy;

import io.sbc.api.MediaAnchoring;
import java.util.List;

/**
 * Whether the calls of a rule are anchored on RTPengine, and what RTPengine rewrites in their SDP
 * (the ng protocol's {@code replace}, {@code ICE}, {@code transport protocol}, {@code record call}
 * and {@code flags}). Compiled once per rule from the rule's settings or the gateway's.
 *
 * @param anchor send the calls' SDP through RTPengine
 * @param replaceOrigin replace the o= line's address
 * @param replaceSessionConnection replace the session-level c= line
 * @param ice the ng {@code ICE} value (remove, force, default) or null for RTPengine's default
 * @param transportProtocol the ng {@code transport protocol} or null to keep the offered one
 * @param recordCall ask RTPengine to record the call
 * @param continueOnFailure forward the SDP untouched when RTPengine does not answer, rather than
 *     refuse the call
 * @param flags further flag words for the ng {@code flags} list
 * @param direction the ng {@code direction} of an offer from the caller's side: RTPengine's
 *     interface facing the caller, then the one facing the callee (empty: RTPengine's default); an
 *     offer from the callee's side sends them swapped
 */
public record MediaPolicy(
    boolean anchor,
    boolean replaceOrigin,
    boolean replaceSessionConnection,
    String ice,
    String transportProtocol,
    boolean recordCall,
    boolean continueOnFailure,
    List<String> flags,
    List<String> direction) {

  /** Media is not touched. */
  public static final MediaPolicy NONE =
      new MediaPolicy(false, false, false, null, null, false, true, List.of(), List.of());

  /**
   * Anchored with RTPengine's defaults: for an anchored dialog whose own policy this replica does
   * not know, so that its SDP still goes through RTPengine.
   */
  public static final MediaPolicy ANCHOR_DEFAULTS =
      new MediaPolicy(true, true, true, null, null, false, true, List.of(), List.of());

  /**
   * The policy for an answer, and for a late offer (which goes back to the caller): the transport
   * protocol is the offer's to set; RTPengine answers each side in the protocol that side offered.
   */
  public MediaPolicy forAnswer() {
    return transportProtocol == null
        ? this
        : new MediaPolicy(
            anchor,
            replaceOrigin,
            replaceSessionConnection,
            ice,
            null,
            recordCall,
            continueOnFailure,
            flags,
            direction);
  }

  /**
   * The policy of an offer from the callee's side (a re-INVITE or UPDATE it sends, its 2xx to an
   * INVITE without SDP): the transport protocol is the callee side's, which RTPengine keeps, and
   * the interfaces are swapped (the offer comes in on the callee's and leaves on the caller's).
   */
  public MediaPolicy fromCallee() {
    MediaPolicy p = forAnswer();
    if (direction.size() != 2) {
      return p;
    }
    return new MediaPolicy(
        anchor,
        replaceOrigin,
        replaceSessionConnection,
        ice,
        null,
        recordCall,
        continueOnFailure,
        flags,
        List.of(direction.get(1), direction.get(0)));
  }

  /**
   * A 16-bit fingerprint of these settings (FNV-1a over each field, folded), the same in every
   * process: what a dialog's sealed state names its policy by ({@link DialogMedia}). Two policies
   * of one configuration with the same id are told apart by nobody: {@code MediaControl} refuses to
   * name either (the dialog then falls back on the gateway's policy).
   */
  public int shortId() {
    long h = 0xcbf29ce484222325L;
    h = fnv(h, (anchor ? 1 : 0) | (replaceOrigin ? 2 : 0) | (replaceSessionConnection ? 4 : 0));
    h = fnv(h, (recordCall ? 1 : 0) | (continueOnFailure ? 2 : 0));
    h = fnv(h, ice);
    h = fnv(h, transportProtocol);
    for (String f : flags) {
      h = fnv(h, f);
    }
    if (!direction.isEmpty()) {
      // Only when set, so that the ids of policies without one stay what they were.
      h = fnv(h, 0xFD);
      for (String d : direction) {
        h = fnv(h, d);
      }
    }
    return (int) ((h ^ (h >>> 16) ^ (h >>> 32) ^ (h >>> 48)) & 0xFFFF);
  }

  private static long fnv(long h, int b) {
    return (h ^ (b & 0xFF)) * 0x100000001b3L;
  }

  /** A string and a terminator (0xFF never occurs in the validated ASCII settings; null: 0xFE). */
  private static long fnv(long h, String s) {
    if (s == null) {
      return fnv(h, 0xFE);
    }
    for (int i = 0; i < s.length(); i++) {
      h = fnv(h, s.charAt(i));
    }
    return fnv(h, 0xFF);
  }

  /** The policy of these settings; null settings or {@code enabled: false}: {@link #NONE}. */
  public static MediaPolicy of(MediaAnchoring a) {
    if (a == null || !Boolean.TRUE.equals(a.enabled)) {
      return NONE;
    }
    return new MediaPolicy(
        true,
        !Boolean.FALSE.equals(a.replaceOrigin),
        !Boolean.FALSE.equals(a.replaceSessionConnection),
        a.ice == null ? null : a.ice.toLowerCase(java.util.Locale.ROOT),
        a.transportProtocol,
        Boolean.TRUE.equals(a.recordCall),
        "Continue".equals(a.onFailure),
        a.flags == null ? List.of() : List.copyOf(a.flags),
        a.direction == null ? List.of() : List.copyOf(a.direction));
  }
}

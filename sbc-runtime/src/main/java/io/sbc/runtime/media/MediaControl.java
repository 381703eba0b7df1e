package io.sbc.runtime.media;

import io.sbc.runtime.sip.proxy.CallEvents;
import io.sbc.runtime.sip.proxy.DialogMedia;
import io.sbc.runtime.sip.proxy.MediaPolicy;
import io.sbc.runtime.sip.transport.Loop;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * A gateway's media control: the ng client, the RTPengine instances, the gateway's anchoring policy
 * (for in-dialog requests, which no rule decides), and the commands the media stages send: {@code
 * offer}, {@code answer} and {@code delete}, each to the call's instance, an {@code offer} tried on
 * the next instance when one does not answer.
 */
public final class MediaControl implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(MediaControl.class);

  /** Counters for metrics and /sbc/status. */
  public static final class Stats {
    public final LongAdder offers = new LongAdder();
    public final LongAdder answers = new LongAdder();
    public final LongAdder deletes = new LongAdder();
    public final LongAdder failures = new LongAdder();
    public final LongAdder errors = new LongAdder();
    public final LongAdder unanchored = new LongAdder();

    /**
     * Responses forwarded without their SDP because its answer failed (no leak of the other side).
     */
    public final LongAdder stripped = new LongAdder();

    /** RTP packets and bytes RTPengine relayed for the calls deleted (from delete's totals). */
    public final LongAdder rtpPackets = new LongAdder();

    public final LongAdder rtpBytes = new LongAdder();

    /** In-dialog requests whose sealed instance this replica does not know (fallen back). */
    public final LongAdder unknownInstance = new LongAdder();

    /** In-dialog requests whose sealed policy this replica does not know (gateway's used). */
    public final LongAdder unknownPolicy = new LongAdder();
  }

  private final NgClient client;
  private final RtpEngines engines;
  private volatile MediaPolicy gatewayPolicy;

  /**
   * The policies of the configuration by {@link MediaPolicy#shortId()}; an id two of them share
   * maps to null (neither can be told from the sealed state).
   */
  private volatile Map<Integer, MediaPolicy> policies;

  private final Stats stats = new Stats();
  private volatile long lastFallbackLog;

  /**
   * @param policies every policy a rule of the configuration may give a call (the gateway's too)
   */
  public MediaControl(
      NgClient client,
      RtpEngines engines,
      MediaPolicy gatewayPolicy,
      java.util.Collection<MediaPolicy> policies) {
    this.client = client;
    this.engines = engines;
    this.gatewayPolicy = gatewayPolicy;
    this.policies = table(gatewayPolicy, policies);
  }

  private static Map<Integer, MediaPolicy> table(
      MediaPolicy gateway, java.util.Collection<MediaPolicy> all) {
    Map<Integer, MediaPolicy> t = new java.util.HashMap<>();
    List<MediaPolicy> every = new ArrayList<>(all);
    every.add(gateway);
    for (MediaPolicy p : every) {
      Integer id = p.shortId();
      if (t.containsKey(id) && t.get(id) != null && !t.get(id).equals(p)) {
        LOG.warnf(
            "two media policies share the sealed id %d: in-dialog requests of their calls use the"
                + " gateway's",
            id);
        t.put(id, null);
      } else if (!t.containsKey(id)) {
        t.put(id, p);
      }
    }
    return t;
  }

  public NgClient client() {
    return client;
  }

  public RtpEngines engines() {
    return engines;
  }

  public Stats stats() {
    return stats;
  }

  /** The policy of in-dialog requests (no rule decides them). */
  public MediaPolicy gatewayPolicy() {
    return gatewayPolicy;
  }

  /** A reload: the gateway's policy and its instances. */
  public void update(
      MediaPolicy policy,
      java.util.Collection<MediaPolicy> policies,
      Map<String, Integer> instances) {
    this.gatewayPolicy = policy;
    this.policies = table(policy, policies);
    engines.update(instances);
  }

  // --- the dialog's sealed state --------------------------------------------------------------

  /** What a new dialog's Record-Route seals of its media. */
  static DialogMedia stateOf(boolean anchored, MediaPolicy policy, RtpEngines.Instance instance) {
    return new DialogMedia(
        anchored, instance == null ? -1 : instance.shortId(), policy.shortId(), false);
  }

  /**
   * The policy of an in-dialog request: its dialog's, from the sealed state; the gateway's when the
   * request carried none (a dialog set up before media state was sealed) or when this replica does
   * not know the sealed one (another configuration: counted, logged at most once a minute); none
   * when the dialog was not anchored.
   */
  MediaPolicy policyOf(DialogMedia d) {
    if (d == null) {
      return gatewayPolicy;
    }
    if (!d.anchored()) {
      return MediaPolicy.NONE;
    }
    MediaPolicy p = policies.get(d.policy());
    if (p != null && p.anchor()) {
      return p;
    }
    stats.unknownPolicy.increment();
    logFallback("policy", d.policy());
    MediaPolicy g = gatewayPolicy;
    // The dialog is anchored: its SDP must keep going through RTPengine whatever this replica's
    // gateway policy says.
    return g.anchor() ? g : MediaPolicy.ANCHOR_DEFAULTS;
  }

  /**
   * The instance that holds an in-dialog request's call: the sealed one, up or not; null when the
   * request carried none, or names one this replica does not know (counted, logged): the caller
   * then falls back on the Call-ID's hash.
   */
  RtpEngines.Instance instanceOf(DialogMedia d) {
    if (d == null || d.instance() < 0) {
      return null;
    }
    RtpEngines.Instance i = engines.byShortId(d.instance());
    if (i == null) {
      stats.unknownInstance.increment();
      logFallback("RTPengine instance", d.instance());
    }
    return i;
  }

  private void logFallback(String what, int id) {
    long now = System.currentTimeMillis();
    if (now - lastFallbackLog > 60_000) {
      lastFallbackLog = now;
      LOG.warnf(
          "an in-dialog request names a %s (sealed id %d) this replica is not configured with:"
              + " falling back (sbc_media_sealed_fallbacks_total counts them)",
          what, id);
    }
  }

  /**
   * How long a stage may wait for a command: every try on every instance, and a second of margin
   * (the client's own timeout always ends a command first; the stage's is only a safety net).
   */
  long pauseMillis() {
    return client.maxCommandMillis() * Math.max(1, engines.size()) + 1000;
  }

  // --- SDP -------------------------------------------------------------------------------------

  // --- commands ------------------------------------------------------------------------------

  /** The result of a command as the stages use it: the new SDP, or why there is none. */
  interface Result {
    void done(byte[] sdp, RtpEngines.Instance instance, String failure);
  }

  /**
   * Sends {@code offer} or {@code answer} for this SDP to the call's instance, from {@code loop};
   * an {@code offer} that gets no answer goes to the next instance up (the failed one is marked
   * down first), so a dead instance costs the call one timeout, not the call.
   *
   * @param instance the instance the call's offer went to, or null to choose by Call-ID
   */
  void offerOrAnswer(
      Loop loop,
      boolean offer,
      byte[] callId,
      String fromTag,
      String toTag,
      String sdp,
      MediaPolicy policy,
      RtpEngines.Instance instance,
      Result result) {
    RtpEngines.Instance target = instance != null ? instance : engines.choose(callId);
    if (target == null) {
      stats.failures.increment();
      result.done(null, null, "no RTPengine instance is up");
      return;
    }
    Map<String, Object> cmd = new LinkedHashMap<>();
    cmd.put("command", offer ? "offer" : "answer");
    cmd.put("call-id", new String(callId, StandardCharsets.ISO_8859_1));
    cmd.put("from-tag", fromTag == null ? "" : fromTag);
    if (toTag != null) {
      cmd.put("to-tag", toTag);
    }
    cmd.put("sdp", sdp);
    List<Object> replace = new ArrayList<>(2);
    if (policy.replaceOrigin()) {
      replace.add("origin");
    }
    if (policy.replaceSessionConnection()) {
      replace.add("session-connection");
    }
    if (!replace.isEmpty()) {
      cmd.put("replace", replace);
    }
    if (policy.ice() != null) {
      cmd.put("ICE", policy.ice());
    }
    if (policy.transportProtocol() != null) {
      cmd.put("transport-protocol", policy.transportProtocol());
    }
    if (offer && policy.direction().size() == 2) {
      cmd.put("direction", new ArrayList<Object>(policy.direction()));
    }
    if (policy.recordCall()) {
      cmd.put("record-call", "yes");
    }
    if (!policy.flags().isEmpty()) {
      cmd.put("flags", new ArrayList<Object>(policy.flags()));
    }
    (offer ? stats.offers : stats.answers).increment();
    target.commands.increment();
    client.send(
        loop,
        target.address(),
        cmd,
        (reply, failure) -> {
          if (reply == null) {
            engines.failed(target, failure);
            if (offer && instance == null && engines.choose(callId) != null) {
              // The next instance up (by the same hash, the failed one now skipped).
              offerOrAnswer(loop, true, callId, fromTag, toTag, sdp, policy, null, result);
              return;
            }
            stats.failures.increment();
            result.done(null, target, failure);
            return;
          }
          Object r = reply.get("result");
          Object body = reply.get("sdp");
          if (!"ok".equals(r) || !(body instanceof String s)) {
            stats.errors.increment();
            result.done(
                null,
                target,
                "RTPengine "
                    + target.name()
                    + " refused "
                    + cmd.get("command")
                    + ": "
                    + (reply.get("error-reason") != null ? reply.get("error-reason") : r));
            return;
          }
          result.done(s.getBytes(StandardCharsets.ISO_8859_1), target, null);
        });
  }

  /** Sends {@code delete} for the call (fire and forget: nothing waits for it). */
  void delete(Loop loop, byte[] callId, String fromTag, RtpEngines.Instance instance) {
    delete(loop, callId, fromTag, instance, false, null);
  }

  /**
   * Sends {@code delete} for the call; {@code done} (when not null) gets what RTPengine relayed,
   * per direction, from its reply, or null when it did not answer or did not hold the call. Runs on
   * {@code loop}, later.
   *
   * @param fromTag the From tag of the request that ends the call (the BYE's)
   * @param senderIsCallee the BYE comes from the callee (its From tag is the callee's)
   */
  void delete(
      Loop loop,
      byte[] callId,
      String fromTag,
      RtpEngines.Instance instance,
      boolean senderIsCallee,
      java.util.function.Consumer<CallEvents.MediaCounters> done) {
    RtpEngines.Instance target = instance != null ? instance : engines.choose(callId);
    if (target == null) {
      stats.failures.increment();
      if (done != null) {
        loop.execute(() -> done.accept(null));
      }
      return;
    }
    Map<String, Object> cmd = new LinkedHashMap<>();
    cmd.put("command", "delete");
    cmd.put("call-id", new String(callId, StandardCharsets.ISO_8859_1));
    cmd.put("from-tag", fromTag == null ? "" : fromTag);
    stats.deletes.increment();
    target.commands.increment();
    client.send(
        loop,
        target.address(),
        cmd,
        (reply, failure) -> {
          CallEvents.MediaCounters counters = null;
          if (reply == null) {
            engines.failed(target, failure);
            stats.failures.increment();
          } else if (!"ok".equals(reply.get("result"))) {
            // An unknown call (deleted already, never anchored): nothing to do.
            LOG.debugf("delete of a call answered %s", reply.get("error-reason"));
          } else {
            countTotals(reply);
            counters = counters(reply, fromTag, senderIsCallee);
          }
          if (done != null) {
            done.accept(counters);
          }
        });
  }

  /**
   * The per-direction counters of a {@code delete} (or {@code query}) reply: each tag's RTP streams
   * ({@code tags.T.medias[].streams[]} flagged RTP: what RTPengine received from that side) and the
   * cumulative loss RTCP reported for their SSRCs ({@code SSRC.N}); null when the reply has no
   * tags.
   *
   * @param fromTag the From tag of the request that ended the call
   * @param senderIsCallee that request came from the callee
   */
  static CallEvents.MediaCounters counters(
      Map<String, Object> reply, String fromTag, boolean senderIsCallee) {
    if (!(reply.get("tags") instanceof Map<?, ?> tags) || tags.isEmpty()) {
      return null;
    }
    Map<?, ?> ssrcs = reply.get("SSRC") instanceof Map<?, ?> m ? m : Map.of();
    long[] sender = new long[3];
    long[] other = new long[3];
    for (Map.Entry<?, ?> e : tags.entrySet()) {
      if (e.getValue() instanceof Map<?, ?> tag) {
        addStreams(tag, ssrcs, e.getKey().equals(fromTag) ? sender : other);
      }
    }
    long[] caller = senderIsCallee ? other : sender;
    long[] callee = senderIsCallee ? sender : other;
    return new CallEvents.MediaCounters(
        caller[0], caller[1], caller[2], callee[0], callee[1], callee[2]);
  }

  private static void addStreams(Map<?, ?> tag, Map<?, ?> ssrcs, long[] into) {
    if (!(tag.get("medias") instanceof List<?> medias)) {
      return;
    }
    for (Object mo : medias) {
      if (!(mo instanceof Map<?, ?> media) || !(media.get("streams") instanceof List<?> streams)) {
        continue;
      }
      for (Object so : streams) {
        if (!(so instanceof Map<?, ?> stream)
            || !(stream.get("flags") instanceof List<?> flags)
            || !flags.contains("RTP")
            || !(stream.get("stats") instanceof Map<?, ?> st)) {
          continue;
        }
        into[0] += st.get("packets") instanceof Long p && p > 0 ? p : 0;
        into[1] += st.get("bytes") instanceof Long b && b > 0 ? b : 0;
        if (stream.get("SSRC") instanceof Long ssrc
            && ssrcs.get(Long.toString(ssrc)) instanceof Map<?, ?> entry) {
          into[2] += cumulativeLoss(entry, 0);
        }
      }
    }
  }

  /** The largest "cumulative loss" in an SSRC entry (RTCP's, in its MOS records), 0 if none. */
  private static long cumulativeLoss(Map<?, ?> m, int depth) {
    long most = 0;
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if ("cumulative loss".equals(e.getKey()) && e.getValue() instanceof Long l) {
        most = Math.max(most, l);
      } else if (depth < 2 && e.getValue() instanceof Map<?, ?> sub) {
        most = Math.max(most, cumulativeLoss(sub, depth + 1));
      }
    }
    return most;
  }

  /** Adds the RTP totals of a delete reply ({@code totals.RTP.packets/bytes}). */
  private void countTotals(Map<String, Object> reply) {
    if (reply.get("totals") instanceof Map<?, ?> t && t.get("RTP") instanceof Map<?, ?> rtp) {
      if (rtp.get("packets") instanceof Long p && p > 0) {
        stats.rtpPackets.add(p);
      }
      if (rtp.get("bytes") instanceof Long b && b > 0) {
        stats.rtpBytes.add(b);
      }
    }
  }

  @Override
  public void close() {
    engines.close();
    client.close();
  }
}

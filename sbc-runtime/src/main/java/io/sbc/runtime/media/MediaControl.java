package io.sbc.runtime.media;

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

    /** RTP packets and bytes RTPengine relayed for the calls deleted (from delete's totals). */
    public final LongAdder rtpPackets = new LongAdder();

    public final LongAdder rtpBytes = new LongAdder();
  }

  private final NgClient client;
  private final RtpEngines engines;
  private volatile MediaPolicy gatewayPolicy;
  private final Stats stats = new Stats();

  public MediaControl(NgClient client, RtpEngines engines, MediaPolicy gatewayPolicy) {
    this.client = client;
    this.engines = engines;
    this.gatewayPolicy = gatewayPolicy;
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
  public void update(MediaPolicy policy, Map<String, Integer> instances) {
    this.gatewayPolicy = policy;
    engines.update(instances);
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
    RtpEngines.Instance target = instance != null ? instance : engines.choose(callId);
    if (target == null) {
      stats.failures.increment();
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
          if (reply == null) {
            engines.failed(target, failure);
            stats.failures.increment();
            return;
          }
          if (!"ok".equals(reply.get("result"))) {
            // An unknown call (deleted already, never anchored): nothing to do.
            LOG.debugf("delete of a call answered %s", reply.get("error-reason"));
            return;
          }
          countTotals(reply);
        });
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

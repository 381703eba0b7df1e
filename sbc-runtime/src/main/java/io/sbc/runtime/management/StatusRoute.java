package io.sbc.runtime.management;

import io.sbc.api.syntax.IpLiteral;
import io.sbc.runtime.SbcStack;
import io.sbc.runtime.sip.admission.SourceGuard;
import io.sbc.runtime.sip.proxy.CallAdmission;
import io.sbc.runtime.sip.proxy.CallCounters;
import io.sbc.runtime.sip.proxy.CallEvents;
import io.sbc.runtime.sip.proxy.CallLimit;
import io.sbc.runtime.sip.proxy.Proxy;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Protocol;
import io.sbc.runtime.sip.transport.TransportLayer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Locale;

/**
 * {@code GET /sbc/status}: what the gateway is doing, as JSON (configuration reloads, transport
 * counts per socket and per reason, messages, calls, transactions, dispatcher destinations and
 * their states) — the management view of the gateway. The fields are listed in README.md.
 */
@ApplicationScoped
public class StatusRoute {
  @Inject RunningGateway gateway;

  void routes(@Observes Router router) {
    // Built on a worker, like the Prometheus scrape: the HTTP server shares the event loops with
    // SIP, and a status of many destinations should not hold one up.
    router
        .get("/sbc/status")
        .blockingHandler(
            ctx -> {
              SbcStack s = gateway.stack();
              if (s == null) {
                ctx.response().setStatusCode(503).end("{\"state\":\"starting\"}");
                return;
              }
              ctx.response()
                  .putHeader("content-type", "application/json")
                  .end(status(s, gateway).encodePrettily());
            },
            false);
  }

  static JsonObject status(SbcStack s, RunningGateway g) {
    Proxy.Stats st = s.proxy().stats();
    JsonObject dropped = new JsonObject();
    long droppedTotal = st.dropped();
    for (Proxy.Drop d : Proxy.Drop.values()) {
      dropped.put(d.name().toLowerCase(Locale.ROOT), st.dropped(d));
    }
    SourceGuard guard = s.sourceGuard();
    for (SourceGuard.Refusal r : SourceGuard.Refusal.values()) {
      dropped.put(GatewayMetrics.refusalName(r), guard.refusedMessages(r));
      droppedTotal += guard.refusedMessages(r);
    }
    long timerFailures = 0;
    for (Loop l : s.loops()) {
      timerFailures += l.timers().failures();
    }
    return new JsonObject()
        .put("gateway", s.config().name())
        .put("ready", g.isReady())
        .put("eventLoops", s.loops().size())
        .put("transport", s.transports().nativeTransport() ? "epoll" : "nio")
        .put("reloads", reloads(g))
        // Which configuration runs (the operator's Programmed condition waits for it).
        .put(
            io.sbc.api.ConfigIdentity.STATUS_FIELD,
            new JsonObject().put(io.sbc.api.ConfigIdentity.SHA256_FIELD, g.configSha256()))
        .put(
            "transactions",
            new JsonObject()
                .put("server", s.transactions().serverCount())
                .put("client", s.transactions().clientCount())
                .put("fallbacks", s.transactions().fallbacks())
                .put("timerFailures", timerFailures))
        .put("udp", udp(s, g))
        .put("tcp", tcp(s.transports()))
        .put(
            "messages",
            new JsonObject()
                .put("requests", st.requests.sum())
                .put("responses", st.responses.sum())
                .put("malformed", st.malformed.sum())
                .put("dropped", droppedTotal)
                .put("droppedByReason", dropped)
                .put("localReplies", st.localReplies.sum())
                .put("routeTokensRefused", st.refusedRoutes.sum())
                .put("nextHopsUnresolved", st.unresolvable.sum())
                .put("stageFailures", st.stageFailures.sum()))
        .put("sources", sources(guard))
        .put(
            "dns",
            new JsonObject()
                .put(
                    "servers",
                    new JsonArray(
                        s.dnsServers().stream()
                            .map(a -> IpLiteral.uriHost(a.getAddress()) + ":" + a.getPort())
                            .toList()))
                .put("questions", s.resolver().questions())
                .put("questionsRefused", s.resolver().refusedQuestions())
                .put("cachedAnswers", s.resolver().cachedAnswers()))
        .put("calls", calls(s))
        .put("dispatchers", dispatchers(s))
        .put("media", media(s));
  }

  /** RTPengine: the commands sent and how they ended, and each instance; null without media. */
  private static JsonObject media(SbcStack s) {
    io.sbc.runtime.media.MediaControl m = s.media();
    if (m == null) {
      return null;
    }
    JsonArray instances = new JsonArray();
    for (io.sbc.runtime.media.RtpEngines.Instance i : m.engines().instances()) {
      instances.add(
          new JsonObject()
              .put("address", i.name())
              .put("weight", i.weight())
              .put("up", i.isUp())
              .put("commands", i.commands.sum())
              .put("failures", i.failures.sum()));
    }
    io.sbc.runtime.media.MediaControl.Stats st = m.stats();
    return new JsonObject()
        .put("offers", st.offers.sum())
        .put("answers", st.answers.sum())
        .put("deletes", st.deletes.sum())
        .put("failures", st.failures.sum())
        .put("errors", st.errors.sum())
        .put("unanchored", st.unanchored.sum())
        .put("retransmissions", m.client().stats().retransmissions.sum())
        .put("rtpPackets", st.rtpPackets.sum())
        .put("rtpBytes", st.rtpBytes.sum())
        .put("instances", instances);
  }

  private static JsonObject reloads(RunningGateway g) {
    JsonObject o =
        new JsonObject().put("applied", g.reloadsApplied()).put("refused", g.reloadsRefused());
    RunningGateway.Refusal last = g.lastRefusal();
    if (last != null) {
      o.put(
          "lastRefusal",
          new JsonObject()
              .put("at", last.at().toString())
              .put("errors", new JsonArray(last.errors())));
    }
    return o;
  }

  /** Per UDP listener, the datagrams each of its sockets received (one per loop with epoll). */
  private static JsonArray udp(SbcStack s, RunningGateway g) {
    JsonArray a = new JsonArray();
    for (Listener l : g.listeners()) {
      if (l.protocol() != Protocol.UDP) {
        continue;
      }
      JsonArray counts = new JsonArray();
      for (long n : s.transports().udpDatagramCounts(l)) {
        counts.add(n);
      }
      a.add(
          new JsonObject()
              .put("listener", l.name())
              .put("bind", IpLiteral.uriHost(l.bindAddress().getAddress()) + ":" + l.port())
              .put("datagramsPerSocket", counts));
    }
    return a;
  }

  private static JsonObject tcp(TransportLayer t) {
    return new JsonObject()
        .put("open", t.openConnections())
        .put("inbound", t.inboundConnections())
        .put("outbound", t.outboundConnections())
        .put("refused", t.refusedConnections())
        .put(
            "refusedByReason",
            new JsonObject()
                .put("maxInbound", t.refusedInbound())
                .put("maxPerSource", t.refusedPerSource())
                .put("maxOutbound", t.refusedOutbound()))
        .put(
            "closedByReason",
            new JsonObject()
                .put("writeQueueFull", t.closedSlowWriter())
                .put("messageTimeout", t.closedHalfSent())
                .put("idle", t.closedIdle()))
        .put("sendsDroppedWhileConnecting", t.droppedWhileConnecting());
  }

  /** The anti-flood tables and the connections refused for their source. */
  private static JsonObject sources(SourceGuard g) {
    return new JsonObject()
        .put("antiFlood", g.policy().antiFlood() != null)
        .put("bans", g.bans())
        .put("bannedNow", g.bannedNow())
        .put("tracked", g.trackedSources())
        .put("evicted", g.evicted())
        .put(
            "connectionsRefused",
            new JsonObject()
                .put("denied", g.refusedConnections(SourceGuard.Refusal.DENIED))
                .put("banned", g.refusedConnections(SourceGuard.Refusal.BANNED)));
  }

  private static JsonObject calls(SbcStack s) {
    CallCounters c = s.callCounters();
    JsonObject ended = new JsonObject();
    for (CallEvents.EndReason r : CallEvents.EndReason.values()) {
      ended.put(r.name().toLowerCase(Locale.ROOT), c.ended(r));
    }
    JsonObject branchEnds = new JsonObject();
    for (int k = 2; k <= 6; k++) {
      branchEnds.put(k + "xx", c.branchEnds(k));
    }
    JsonArray rules = new JsonArray();
    for (CallAdmission.RuleCounts rc : s.callAdmission().rules()) {
      CallLimit l = rc.limit();
      rules.add(
          new JsonObject()
              .put("rule", rc.rule())
              .put("active", rc.active())
              .put("maxCalls", l.maxCalls())
              .put("maxCallsPerSecond", l.maxCallsPerSecond())
              .put("maxCallsPerSource", l.maxCallsPerSource())
              .put("sources", rc.sources())
              .put("admitted", rc.admitted())
              .put(
                  "refused",
                  new JsonObject()
                      .put("maxCalls", rc.refused(CallAdmission.Refusal.MAX_CALLS))
                      .put(
                          "maxCallsPerSecond",
                          rc.refused(CallAdmission.Refusal.MAX_CALLS_PER_SECOND))
                      .put(
                          "maxCallsPerSource",
                          rc.refused(CallAdmission.Refusal.MAX_CALLS_PER_SOURCE))));
    }
    return new JsonObject()
        .put("active", s.proxy().calls().size())
        .put(
            "admission",
            new JsonObject()
                .put("active", s.callAdmission().active())
                .put("draining", s.callAdmission().draining())
                .put("refusedDraining", s.callAdmission().refusedDraining())
                .put("gateway", gatewayAdmission(s.callAdmission()))
                .put("rules", rules))
        .put("answered", c.answered.sum())
        .put("ended", ended)
        .put("requestsRouted", c.routed.sum())
        .put("branchesStarted", c.branches.sum())
        .put("branchesEnded", branchEnds);
  }

  /** The gateway-wide limit on this replica (its share) and its counts; null without one. */
  private static JsonObject gatewayAdmission(CallAdmission a) {
    CallAdmission.RuleCounts g = a.gateway();
    CallLimit l = g.limit();
    if (l == null) {
      return null;
    }
    return new JsonObject()
        .put("maxCalls", l.maxCalls())
        .put("maxCallsPerSecond", l.maxCallsPerSecond())
        .put("active", g.active())
        .put("admitted", g.admitted())
        .put(
            "refused",
            new JsonObject()
                .put("maxCalls", g.refused(CallAdmission.Refusal.GATEWAY_MAX_CALLS))
                .put(
                    "maxCallsPerSecond",
                    g.refused(CallAdmission.Refusal.GATEWAY_MAX_CALLS_PER_SECOND)));
  }

  private static JsonArray dispatchers(SbcStack s) {
    JsonArray ds = new JsonArray();
    s.dispatcherStatus()
        .forEach(
            (name, list) -> {
              JsonArray dests = new JsonArray();
              list.forEach(
                  d ->
                      dests.add(
                          new JsonObject()
                              .put("uri", d.uri())
                              .put("state", d.state().name())
                              .put("reason", d.reason())
                              .put("weight", d.weight())
                              .put("priority", d.priority())
                              .put("activeCalls", d.activeCalls())
                              .put("callsStarted", d.callsStarted())
                              .put("callFailures", d.callFailures())
                              .put("probesSent", d.probesSent())
                              .put("probeFailures", d.probeFailures())
                              .put("stateChanges", d.stateChanges())
                              .put("maxCalls", d.maxCalls())
                              .put("callsSkippedFull", d.callsSkippedFull())));
              ds.add(new JsonObject().put("name", name).put("destinations", dests));
            });
    return ds;
  }
}

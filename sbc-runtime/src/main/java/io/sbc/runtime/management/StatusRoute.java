package io.sbc.runtime.management;

import io.sbc.runtime.SbcStack;
import io.sbc.runtime.sip.proxy.Proxy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * {@code GET /sbc/status}: what the gateway is doing, as JSON (transactions, connections, message
 * counters, dispatcher destinations and their states) — the management view of the gateway.
 */
@ApplicationScoped
public class StatusRoute {
  @Inject RunningGateway gateway;

  void routes(@Observes Router router) {
    router
        .get("/sbc/status")
        .handler(
            ctx -> {
              SbcStack s = gateway.stack();
              if (s == null) {
                ctx.response().setStatusCode(503).end("{\"state\":\"starting\"}");
                return;
              }
              ctx.response()
                  .putHeader("content-type", "application/json")
                  .end(status(s).encodePrettily());
            });
  }

  static JsonObject status(SbcStack s) {
    Proxy.Stats st = s.proxy().stats();
    JsonObject o =
        new JsonObject()
            .put("gateway", s.config().name())
            .put("ready", true)
            .put(
                "transactions",
                new JsonObject()
                    .put("server", s.transactions().serverCount())
                    .put("client", s.transactions().clientCount()))
            .put(
                "tcp",
                new JsonObject()
                    .put("open", s.transports().openConnections())
                    .put("refused", s.transports().refusedConnections()))
            .put(
                "messages",
                new JsonObject()
                    .put("requests", st.requests.sum())
                    .put("responses", st.responses.sum())
                    .put("malformed", st.malformed.sum())
                    .put("dropped", st.dropped())
                    .put("localReplies", st.localReplies.sum()));
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
                              .put("stateChanges", d.stateChanges())));
              ds.add(new JsonObject().put("name", name).put("destinations", dests));
            });
    o.put("dispatchers", ds);
    return o;
  }
}

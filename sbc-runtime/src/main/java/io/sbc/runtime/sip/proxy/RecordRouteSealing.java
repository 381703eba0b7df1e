package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.seal.RouteSeal;
import io.sbc.runtime.sip.locate.UriTarget;
import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.NameAddr;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipParseException;
import io.sbc.runtime.sip.message.SipUri;
import io.sbc.runtime.sip.transport.Myself;

/**
 * Seals the caller's direction of a dialog: in a 1xx or 2xx that creates it, this SBC's
 * Record-Route value (which the caller takes into its route set, RFC 3261 section 12.1.2) gets a
 * token for the hop towards the callee, the Record-Route value before ours or else the response's
 * Contact. A proxy may rewrite its own Record-Route value in responses (section 16.7 step 9).
 *
 * <p>The request's copy of the value (which the callee keeps) sealed the other direction when it
 * was inserted ({@link Forwarding}).
 */
final class RecordRouteSealing implements ResponseStage {
  private final Myself myself;
  private final Proxy proxy;

  RecordRouteSealing(Myself myself, Proxy proxy) {
    this.myself = myself;
    this.proxy = proxy;
  }

  @Override
  public String name() {
    return "record-route-sealing";
  }

  @Override
  public Outcome process(ProxyResponse r) {
    int code = r.status;
    if (!r.recordRouted() || code <= 100 || code >= 300) {
      return Outcome.CONTINUE;
    }
    SipMessage m = r.message;
    try {
      if (r.context.hidden()) {
        sealHidden(r, m);
      } else {
        seal(r, m);
      }
    } catch (SipParseException e) {
      // A Record-Route the callee mangled: leave it; in-dialog requests through it will be
      // refused, which is the safe outcome.
    }
    return Outcome.CONTINUE;
  }

  private void seal(ProxyResponse r, SipMessage m) throws SipParseException {
    byte[] b = m.bytes();
    UriTarget downstream = null;
    String token = null;
    UriTarget previous = null;
    for (int h = m.findHeader(HeaderName.RECORD_ROUTE);
        h >= 0;
        h = m.findHeader(HeaderName.RECORD_ROUTE, h + 1)) {
      int[] v = RoutePreprocessing.values(m, h);
      for (int k = 0; k < v.length; k += 2) {
        NameAddr na = NameAddr.parse(b, v[k], v[k + 1], "Record-Route");
        SipUri u = na.uri();
        long at = u == null ? -1 : RouteSeal.tokenRange(u);
        if (at < 0
            || myself.listenerFor(u.buffer(), u.hostStart(), u.hostEnd(), u.port(), null) == null) {
          if (token == null) {
            previous = u == null ? null : UriTarget.of(u, new String[1]);
          }
          continue;
        }
        if (token == null) {
          // The callee behind NAT is reached where it answered from, not at its Contact.
          UriTarget nat = previous == null ? r.context.responderNatHop(m, r.branchFlow) : null;
          // One reached only through its connection (a WebSocket client, RFC 7118), down it.
          downstream =
              Forwarding.reachedThroughFlow(r.branchFlow, previous == null, nat != null, m)
                  ? Forwarding.flowOf(r.branchFlow)
                  : previous != null ? previous : nat != null ? nat : Forwarding.contactHop(m);
          if (downstream == null) {
            return;
          }
          int c = m.callIdHeader();
          token =
              proxy
                  .routeSeal()
                  .seal(
                      b,
                      m.headerValueStart(c),
                      m.headerValueEnd(c),
                      downstream,
                      Forwarding.mediaState(r.context.sealMedia(), false));
          if (token == null) {
            return;
          }
        }
        r.edits.replace((int) (at >>> 32), (int) at, token);
      }
    }
  }

  /**
   * A hidden dialog: the caller sees one Record-Route value, ours, with the callee's route set (the
   * values before ours, which do not leave) sealed in it.
   */
  private void sealHidden(ProxyResponse r, SipMessage m) throws SipParseException {
    byte[] b = m.bytes();
    java.util.List<String> above = new java.util.ArrayList<>(2);
    java.util.List<String> ours = new java.util.ArrayList<>(2);
    int firstLine = -1;
    for (int h = m.findHeader(HeaderName.RECORD_ROUTE);
        h >= 0;
        h = m.findHeader(HeaderName.RECORD_ROUTE, h + 1)) {
      if (firstLine < 0) {
        firstLine = m.headerLineStart(h);
      }
      int[] v = RoutePreprocessing.values(m, h);
      for (int k = 0; k < v.length; k += 2) {
        NameAddr na = NameAddr.parse(b, v[k], v[k + 1], "Record-Route");
        SipUri u = na.uri();
        long at = u == null ? -1 : RouteSeal.paramRange(u, 'h');
        if (at >= 0
            && myself.listenerFor(u.buffer(), u.hostStart(), u.hostEnd(), u.port(), null) != null) {
          ours.add(
              m.text(na.uriStart(), (int) (at >>> 32)) + "%TOKEN%" + m.text((int) at, na.uriEnd()));
        } else if (ours.isEmpty() && u != null) {
          above.add(m.text(na.uriStart(), na.uriEnd()));
        }
      }
      r.edits.delete(m.headerLineStart(h), m.headerLineEnd(h));
    }
    if (ours.isEmpty()) {
      return; // the callee dropped our Record-Route: nothing of the other side to hide here
    }
    java.util.Collections.reverse(above);
    byte[] original = r.context.originalCallId();
    String token =
        proxy
            .dialogSeal()
            .seal(
                io.sbc.runtime.seal.DialogSeal.Kind.ROUTES,
                HiddenState.Routes.of(
                        r.context.edge(),
                        above,
                        Forwarding.mediaState(r.context.sealMedia(), false))
                    .encode(),
                original,
                0,
                original.length);
    StringBuilder line = new StringBuilder("Record-Route: ");
    for (int i = 0; i < ours.size(); i++) {
      line.append(i == 0 ? "<" : ", <").append(ours.get(i).replace("%TOKEN%", token)).append('>');
    }
    r.edits.insert(firstLine, line.append("\r\n").toString());
  }
}

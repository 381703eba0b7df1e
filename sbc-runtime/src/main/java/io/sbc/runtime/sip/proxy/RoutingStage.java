package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.locate.LiteralResolver;
import io.sbc.runtime.sip.message.MessageEditor;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMethod;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The routing decision: an in-dialog request whose Route token opened goes to the sealed hop; any
 * other request is routing's to decide (the {@link Router}: a rule forwards it, rejects it,
 * redirects it or answers it). Routing's rewrites are applied to the request here.
 */
final class RoutingStage implements RequestStage {
  private final Proxy proxy;

  RoutingStage(Proxy proxy) {
    this.proxy = proxy;
  }

  @Override
  public String name() {
    return "routing";
  }

  @Override
  public Outcome process(ProxyRequest r) {
    SipMessage m = r.request;
    RouteAction action;
    if (r.sealedHop != null) {
      if (r.sealedHop.flow() != 0 && !flowOpen(r)) {
        // RFC 5626 section 5.3: the connection the dialog's peer is reached through is gone; the
        // sender may try another flow or give up, nothing is sent to an address.
        r.answer(430, "Flow Failed", null);
        return Outcome.STOP;
      }
      Target t = Target.of(r.sealedHop, LiteralResolver.literalHop(r.sealedHop));
      action = RouteAction.forward(List.of(t), false, false);
    } else if (r.redirect != null) {
      action = redirected(r);
      if (action == null) {
        r.answer(500, "Server Internal Error (redirection target unusable)", null);
        return Outcome.STOP;
      }
    } else {
      action = proxy.router().route(m, r.source);
      if (action == null) {
        action = RouteAction.reject(404, "Not Found");
      }
    }
    r.action = action;
    if (action.isReject()) {
      r.answer(action.status(), action.reason(), action.extraHeaders());
      return Outcome.STOP;
    }
    if (action.targets().isEmpty() && action.access().registrar() == AccessPolicy.Registrar.NONE) {
      // Every destination of the route is down (dispatcher probing) or carries its maxCalls:
      // nothing to try now (RFC 3261 21.5.4: say when to retry).
      r.answer(
          503,
          "Service Unavailable (no destination available)",
          "Retry-After: " + io.sbc.api.Defaults.CALL_LIMIT_RETRY_AFTER_SECONDS + "\r\n");
      return Outcome.STOP;
    }
    if (action.rewrite() != null && r.sealedHop == null) {
      applyRewrite(r, action.rewrite());
    }
    r.recordRoute = action.recordRoute() && !r.inDialog && isDialogCreating(m.method());
    return Outcome.CONTINUE;
  }

  private boolean flowOpen(ProxyRequest r) {
    io.sbc.runtime.sip.locate.Hop hop = LiteralResolver.literalHop(r.sealedHop);
    return hop != null && proxy.flows().flow(hop.flow(), hop.address()) != null;
  }

  /** A new request to a 3xx Contact handed out by the SBC: to that Contact, hidden as before. */
  private static RouteAction redirected(ProxyRequest r) {
    HiddenState.Redirect d = r.redirect;
    Target t;
    try {
      t = Target.parse(d.target(), null);
    } catch (IllegalArgumentException e) {
      return null;
    }
    r.edits.replace(r.request.uriStart(), r.request.uriEnd(), d.target());
    r.newRequestUri = d.target();
    EdgePolicy edge =
        new EdgePolicy(
            true,
            (d.flags() & HiddenState.HIDE_CALL_ID) != 0,
            (d.flags() & HiddenState.HIDE_FROM_TO) != 0,
            d.natTests(),
            0);
    r.edge = edge;
    return new RouteAction(
        List.of(t),
        false,
        true,
        0,
        null,
        null,
        null,
        FailoverPolicy.DEFAULT,
        "redirect",
        edge,
        null,
        MediaPolicy.NONE,
        AccessPolicy.NONE);
  }

  static boolean isDialogCreating(String method) {
    return method == SipMethod.INVITE || method == SipMethod.SUBSCRIBE || method == SipMethod.REFER;
  }

  /** Routing's changes to the request (filters): Request-URI, headers removed and added. */
  private static void applyRewrite(ProxyRequest r, RequestRewrite rw) {
    SipMessage m = r.request;
    MessageEditor e = r.edits;
    // A lookup rule's new Request-URI is what is looked up: each copy then gets a contact.
    if (rw.requestUri() != null
        && r.newRequestUri == null
        && r.action.access().registrar() != AccessPolicy.Registrar.LOOKUP) {
      e.replace(m.uriStart(), m.uriEnd(), rw.requestUri());
    }
    for (String name : rw.removeHeaders()) {
      byte[] nb = name.getBytes(StandardCharsets.ISO_8859_1);
      byte code = io.sbc.runtime.sip.message.HeaderName.lookup(nb, 0, nb.length);
      for (int i = 0; i < m.headerCount(); i++) {
        boolean same =
            code != io.sbc.runtime.sip.message.HeaderName.OTHER
                ? m.headerCode(i) == code
                : m.headerCode(i) == io.sbc.runtime.sip.message.HeaderName.OTHER
                    && isNamed(m, i, name);
        if (same && code != io.sbc.runtime.sip.message.HeaderName.ROUTE) {
          // Route lines of an initial request are gone already (RoutePreprocessing).
          e.delete(m.headerLineStart(i), m.headerLineEnd(i));
        }
      }
    }
    for (String line : rw.addHeaders()) {
      e.insert(m.headersEnd(), line);
    }
  }

  private static boolean isNamed(SipMessage m, int i, String name) {
    int s = m.headerLineStart(i);
    if (s + name.length() >= m.length()
        || !io.sbc.runtime.sip.message.HeaderName.equalsIgnoreCase(m.bytes(), s, name)) {
      return false;
    }
    byte c = m.bytes()[s + name.length()];
    return c == ':' || c == ' ' || c == '\t';
  }
}

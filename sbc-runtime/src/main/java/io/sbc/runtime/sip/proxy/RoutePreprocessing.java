package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.seal.DialogSeal;
import io.sbc.runtime.seal.RouteSeal;
import io.sbc.runtime.sip.locate.UriTarget;
import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.NameAddr;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipParseException;
import io.sbc.runtime.sip.message.SipUri;
import io.sbc.runtime.sip.transport.Myself;
import java.util.Arrays;

/**
 * RFC 3261 section 16.4, Route information preprocessing, and the check that makes in-dialog
 * routing safe: this proxy's own Route values are removed, a strict router's rewrite undone, and
 * the token of this SBC's Route value opened ({@link RouteSeal}).
 *
 * <p>An initial request (no To tag) loses every Route value: a preloaded route from an untrusted
 * sender does not decide where the request goes, routing does. An in-dialog request keeps the
 * values after ours; where it goes is the hop our token sealed when the dialog was created, or,
 * without a token that opens, routing's decision (403 unless a rule accepts such requests).
 */
final class RoutePreprocessing implements RequestStage {
  private final Myself myself;
  private final Proxy proxy;

  RoutePreprocessing(Myself myself, Proxy proxy) {
    this.myself = myself;
    this.proxy = proxy;
  }

  @Override
  public String name() {
    return "route-preprocessing";
  }

  @Override
  public Outcome process(ProxyRequest r) {
    try {
      if (r.inDialog) {
        return inDialog(r);
      }
      removeAllRoutes(r);
      return redirectToken(r);
    } catch (SipParseException e) {
      r.answer(400, "Bad Request (" + e.getMessage() + ")", null);
      return Outcome.STOP;
    }
  }

  /** Initial requests: the Route set goes, whole lines; routing decides the next hop. */
  private static void removeAllRoutes(ProxyRequest r) {
    SipMessage m = r.request;
    for (int h = m.findHeader(HeaderName.ROUTE);
        h >= 0;
        h = m.findHeader(HeaderName.ROUTE, h + 1)) {
      r.edits.delete(m.headerLineStart(h), m.headerLineEnd(h));
    }
  }

  private Outcome inDialog(ProxyRequest r) throws SipParseException {
    SipMessage m = r.request;
    byte[] b = m.bytes();
    // Every Route value in order: header index, start, end.
    int[] vals = new int[12];
    int count = 0;
    for (int h = m.findHeader(HeaderName.ROUTE);
        h >= 0;
        h = m.findHeader(HeaderName.ROUTE, h + 1)) {
      int[] v = values(m, h);
      for (int k = 0; k < v.length; k += 2) {
        if (3 * count + 3 > vals.length) {
          vals = Arrays.copyOf(vals, vals.length * 2);
        }
        vals[3 * count] = h;
        vals[3 * count + 1] = v[k];
        vals[3 * count + 2] = v[k + 1];
        count++;
      }
    }
    // What goes is marked first and deleted in one pass: removing the values in separate calls
    // made overlapping edits when they shared a header line.
    boolean[] drop = new boolean[count];
    int usable = count;
    SipUri ruri = m.requestUri();
    SipUri tokenUri = null;
    if (count > 0 && isRecordRouteOfOurs(ruri)) {
      // Section 16.4: a strict router put our Record-Route URI into the Request-URI: the last
      // Route value is the real Request-URI; it moves there and leaves the Route set.
      usable--;
      NameAddr last = NameAddr.parse(b, vals[3 * usable + 1], vals[3 * usable + 2], "Route");
      SipUri lastUri = last.uri();
      if (lastUri == null || lastUri.scheme() == SipUri.Scheme.OTHER) {
        // It becomes the Request-URI, which must be one we can forward (section 8.2.2.1).
        r.answer(416, "Unsupported URI Scheme (last Route value)", null);
        return Outcome.STOP;
      }
      // Section 19.1.1: a Request-URI has no headers; a UAC drops them too (12.2.1.1).
      r.newRequestUri = m.text(lastUri.start(), lastUri.endWithoutHeaders());
      r.edits.replace(m.uriStart(), m.uriEnd(), r.newRequestUri);
      drop[usable] = true;
      tokenUri = ruri;
    }
    int k = 0;
    SipUri hiddenUri = null;
    while (k < usable) {
      NameAddr route = NameAddr.parse(b, vals[3 * k + 1], vals[3 * k + 2], "Route");
      SipUri u = route.uri();
      if (u == null || !isOurs(u)) {
        r.nextRoute = route;
        break;
      }
      if (RouteSeal.tokenRange(u) >= 0) {
        tokenUri = u;
      } else if (RouteSeal.paramRange(u, 'h') >= 0) {
        hiddenUri = u;
      }
      drop[k] = true;
      k++;
    }
    boolean ruriOurs =
        tokenUri != ruri
            && (ruri.scheme() == SipUri.Scheme.SIP || ruri.scheme() == SipUri.Scheme.SIPS)
            && ruri.userStart() >= 0
            && isOurs(ruri);
    if (hiddenUri != null || (ruriOurs && tokenUri == null)) {
      Outcome o = hiddenDialog(r, hiddenUri, ruriOurs ? ruri : null);
      if (o != null) {
        if (o == Outcome.CONTINUE) {
          removeValues(r, vals, count, drop);
        }
        return o;
      }
      // Our host with a user that is no token of ours and no Route of ours: not a hidden
      // dialog; routing decides (403 unless a rule takes such requests).
    }
    if (tokenUri != null) {
      RouteSeal.Opened opened = open(tokenUri, m);
      r.sealedHop = opened == null ? null : opened.hop();
      r.dialogMedia = opened == null ? null : DialogMedia.decode(opened.state());
      if (r.sealedHop == null) {
        proxy.refusedToken(r);
        r.answer(403, "Forbidden (Route not verified)", null);
        return Outcome.STOP;
      }
    }
    SipUri next = r.nextRoute == null ? null : r.nextRoute.uri();
    if (r.sealedHop != null && next != null && !next.lr() && r.newRequestUri == null) {
      // Section 16.6 step 6: a strict router next: it gets the Route URI as Request-URI, and the
      // Request-URI goes to the end of the Route set.
      String oldUri = m.text(m.uriStart(), m.uriEnd());
      if (next.scheme() == SipUri.Scheme.OTHER) {
        r.answer(416, "Unsupported URI Scheme (next Route value)", null);
        return Outcome.STOP;
      }
      // Section 19.1.1: the Route URI's headers do not go into the Request-URI.
      r.newRequestUri = m.text(next.start(), next.endWithoutHeaders());
      r.edits.replace(m.uriStart(), m.uriEnd(), r.newRequestUri);
      drop[k] = true;
      r.edits.insert(m.headersEnd(), "Route: <" + oldUri + ">\r\n");
    }
    removeValues(r, vals, count, drop);
    return Outcome.CONTINUE;
  }

  /**
   * A request of a hidden dialog: the route set towards its target from our Record-Route value, the
   * target from our Contact URI it names. Both open only for this dialog.
   *
   * @return CONTINUE when restored, STOP when refused, null when the request is not one of a hidden
   *     dialog after all
   */
  private Outcome hiddenDialog(ProxyRequest r, SipUri routeUri, SipUri ruri) {
    SipMessage m = r.request;
    byte[] original = TopologyHiding.originalCallId(r);
    HiddenState.Routes routes = null;
    if (routeUri != null) {
      long at = RouteSeal.paramRange(routeUri, 'h');
      routes =
          HiddenState.Routes.decode(
              proxy
                  .dialogSeal()
                  .open(
                      DialogSeal.Kind.ROUTES,
                      routeUri.buffer(),
                      (int) (at >>> 32),
                      (int) at,
                      original,
                      0,
                      original.length));
      if (routes == null) {
        proxy.refusedToken(r);
        r.answer(403, "Forbidden (Route not verified)", null);
        return Outcome.STOP;
      }
    }
    HiddenState.Contact target = null;
    if (ruri != null) {
      target =
          HiddenState.Contact.decode(
              proxy
                  .dialogSeal()
                  .open(
                      DialogSeal.Kind.CONTACT,
                      ruri.buffer(),
                      ruri.userStart(),
                      ruri.userEnd(),
                      original,
                      0,
                      original.length));
    }
    if (target == null) {
      if (routes == null) {
        return null;
      }
      proxy.refusedToken(r);
      r.answer(403, "Forbidden (Request-URI not verified)", null);
      return Outcome.STOP;
    }
    r.hiddenTarget = target;
    r.hiddenRoutes = routes;
    r.dialogMedia = routes == null ? null : DialogMedia.decode(routes.media());
    r.edge =
        routes != null
            ? routes.policy()
            : new EdgePolicy(
                true,
                (target.flags() & HiddenState.HIDE_CALL_ID) != 0,
                (target.flags() & HiddenState.HIDE_FROM_TO) != 0,
                0,
                0);
    String[] problem = new String[1];
    // The first proxy of the side's route set; without one the side itself, at its NAT source
    // when it is behind NAT, else at its Contact.
    UriTarget hop = null;
    if (routes != null && !routes.routes().isEmpty()) {
      byte[] u = routes.routes().get(0).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      try {
        hop = UriTarget.of(SipUri.parse(u, 0, u.length), problem);
      } catch (SipParseException e) {
        hop = null;
      }
    }
    if (hop == null) {
      hop = target.natHop();
    }
    if (hop == null) {
      byte[] u = target.target().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      try {
        hop = UriTarget.of(SipUri.parse(u, 0, u.length), problem);
      } catch (SipParseException e) {
        hop = null;
      }
    }
    if (hop == null) {
      r.answer(500, "Server Internal Error (hidden target unusable)", null);
      return Outcome.STOP;
    }
    r.sealedHop = hop;
    return Outcome.CONTINUE;
  }

  /**
   * A new request to a 3xx Contact this SBC handed out in a hidden call: it goes to the Contact it
   * stands for (RFC 3261 8.1.3.4), with the policy of that call. Any other request is routing's.
   */
  private Outcome redirectToken(ProxyRequest r) {
    SipUri ruri = r.request.requestUri();
    if (ruri.userStart() < 0
        || ruri.userEnd() - ruri.userStart() < 20
        || (ruri.scheme() != SipUri.Scheme.SIP && ruri.scheme() != SipUri.Scheme.SIPS)
        || !isOurs(ruri)) {
      return Outcome.CONTINUE;
    }
    HiddenState.Redirect d =
        HiddenState.Redirect.decode(
            proxy
                .dialogSeal()
                .open(
                    DialogSeal.Kind.REDIRECT,
                    ruri.buffer(),
                    ruri.userStart(),
                    ruri.userEnd(),
                    null,
                    0,
                    0));
    if (d == null) {
      return Outcome.CONTINUE;
    }
    if (d.notAfterMillis() < proxy.clock().millis()) {
      r.answer(410, "Gone (redirection expired)", null);
      return Outcome.STOP;
    }
    r.redirect = d;
    return Outcome.CONTINUE;
  }

  private boolean isOurs(SipUri u) {
    return (u.scheme() == SipUri.Scheme.SIP || u.scheme() == SipUri.Scheme.SIPS)
        && myself.listenerFor(u.buffer(), u.hostStart(), u.hostEnd(), u.port(), null) != null;
  }

  /** A URI this SBC wrote into a Record-Route: one of ours with a token and lr. */
  private boolean isRecordRouteOfOurs(SipUri u) {
    return u.lr() && RouteSeal.tokenRange(u) >= 0 && isOurs(u);
  }

  private RouteSeal.Opened open(SipUri u, SipMessage m) {
    long r = RouteSeal.tokenRange(u);
    int c = m.callIdHeader();
    return proxy
        .routeSeal()
        .openWithState(
            u.buffer(),
            (int) (r >>> 32),
            (int) r,
            m.bytes(),
            m.headerValueStart(c),
            m.headerValueEnd(c));
  }

  /**
   * Deletes the Route values marked in {@code drop}, whole header lines where every value of the
   * line goes, else each run of values with its separating comma.
   */
  private static void removeValues(ProxyRequest r, int[] vals, int count, boolean[] drop) {
    SipMessage m = r.request;
    int i = 0;
    while (i < count) {
      if (!drop[i]) {
        i++;
        continue;
      }
      int h = vals[3 * i];
      int lineFirst = i;
      while (lineFirst > 0 && vals[3 * (lineFirst - 1)] == h) {
        lineFirst--;
      }
      int lineEnd = i;
      while (lineEnd + 1 < count && vals[3 * (lineEnd + 1)] == h) {
        lineEnd++;
      }
      int j = i;
      while (j + 1 < count && drop[j + 1] && vals[3 * (j + 1)] == h) {
        j++;
      }
      if (i == lineFirst && j == lineEnd) {
        r.edits.delete(m.headerLineStart(h), m.headerLineEnd(h));
      } else if (j < lineEnd) {
        r.edits.delete(vals[3 * i + 1], vals[3 * (j + 1) + 1]);
      } else {
        r.edits.delete(vals[3 * (i - 1) + 2], vals[3 * j + 2]);
      }
      i = j + 1;
    }
  }

  static int[] values(SipMessage m, int header) throws SipParseException {
    int[] v = new int[8];
    int n =
        NameAddr.splitValues(m.bytes(), m.headerValueStart(header), m.headerValueEnd(header), v);
    if (2 * n > v.length) {
      v = new int[2 * n];
      NameAddr.splitValues(m.bytes(), m.headerValueStart(header), m.headerValueEnd(header), v);
    }
    return Arrays.copyOf(v, 2 * n);
  }
}

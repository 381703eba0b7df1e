package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.seal.DialogSeal;
import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.NameAddr;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipParseException;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Listener;

/**
 * Topology hiding of a response on its way back to the side a hidden request came from: the
 * responder's Contact becomes ours with the true one sealed in it (a 3xx's Contacts become ours
 * too, each standing for the Contact it hides, usable by the caller for a new request), and the
 * Call-ID, From and To are those the request arrived with. The responder's Record-Route values are
 * hidden by {@link RecordRouteSealing}, its Via lines by the response context.
 */
final class ResponseHiding implements ResponseStage {
  /** How long a 3xx Contact handed out in a hidden call stays usable. */
  static final long REDIRECT_LIFETIME_MILLIS = 5 * 60_000;

  private final Proxy proxy;

  ResponseHiding(Proxy proxy) {
    this.proxy = proxy;
  }

  @Override
  public String name() {
    return "response-hiding";
  }

  @Override
  public Outcome process(ProxyResponse r) {
    ResponseContext ctx = r.context;
    if (!ctx.hidden() || ctx.origin() == null) {
      return Outcome.CONTINUE;
    }
    SipMessage m = r.message;
    HiddenOrigin origin = ctx.origin();
    int c = m.callIdHeader();
    if (c >= 0) {
      r.edits.replace(m.headerValueStart(c), m.headerValueEnd(c), origin.callId());
    }
    if (ctx.edge().hideFromToHost()) {
      int fh = m.findHeader(HeaderName.FROM);
      if (fh >= 0 && origin.from() != null) {
        r.edits.replace(m.headerValueStart(fh), m.headerValueEnd(fh), origin.from());
      }
      int th = m.findHeader(HeaderName.TO);
      if (th >= 0 && origin.to() != null) {
        String to = origin.to();
        String tag = m.toTag();
        if (tag != null && !hasTag(to)) {
          to = to + ";tag=" + tag;
        }
        r.edits.replace(m.headerValueStart(th), m.headerValueEnd(th), to);
      }
    }
    int code = r.status;
    if (code > 100 && code < 400) {
      try {
        contacts(r, m, code >= 300);
      } catch (SipParseException e) {
        // A Contact we cannot read does not leave either.
        for (int h = m.findHeader(HeaderName.CONTACT);
            h >= 0;
            h = m.findHeader(HeaderName.CONTACT, h + 1)) {
          r.edits.delete(m.headerLineStart(h), m.headerLineEnd(h));
        }
      }
    }
    return Outcome.CONTINUE;
  }

  private static boolean hasTag(String nameAddr) {
    int gt = nameAddr.lastIndexOf('>');
    return nameAddr.toLowerCase(java.util.Locale.ROOT).indexOf(";tag=", Math.max(gt, 0)) >= 0;
  }

  /** Each Contact value replaced by ours: the dialog's remote target, or a 3xx's choices. */
  private void contacts(ProxyResponse r, SipMessage m, boolean redirect) throws SipParseException {
    ResponseContext ctx = r.context;
    Flow up = ctx.server().flow();
    Listener l = up.listener();
    Listener.Names names =
        l.names(
            l.advertisesInterfaceAddress()
                ? proxy.forwarding().sources().sourceFor(up.remote().getAddress())
                : null);
    DialogSeal seal = proxy.dialogSeal();
    byte[] original = ctx.originalCallId();
    int flags = TopologyHiding.flags(ctx.edge());
    for (int h = m.findHeader(HeaderName.CONTACT);
        h >= 0;
        h = m.findHeader(HeaderName.CONTACT, h + 1)) {
      int[] v = RoutePreprocessing.values(m, h);
      StringBuilder value = new StringBuilder();
      for (int k = 0; k < v.length; k += 2) {
        NameAddr na = NameAddr.parse(m.bytes(), v[k], v[k + 1], "Contact");
        if (na.isStar()) {
          continue;
        }
        String uri = m.text(na.uriStart(), na.uriEnd());
        String token;
        if (redirect) {
          token =
              seal.seal(
                  DialogSeal.Kind.REDIRECT,
                  new HiddenState.Redirect(
                          flags,
                          ctx.edge().natTests(),
                          uri,
                          proxy.clock().millis() + REDIRECT_LIFETIME_MILLIS)
                      .encode(),
                  null,
                  0,
                  0);
        } else {
          token =
              seal.seal(
                  DialogSeal.Kind.CONTACT,
                  new HiddenState.Contact(flags, uri, ctx.responderNatHop(m, r.branchFlow))
                      .encode(),
                  original,
                  0,
                  original.length);
        }
        if (value.length() > 0) {
          value.append(", ");
        }
        value.append(Forwarding.hiddenContact(token, names, l));
        // Contact parameters (expires, q) stay; they name no address.
        if (na.paramsStart() >= 0 && na.paramsEnd() > na.paramsStart()) {
          value.append(m.text(na.paramsStart(), na.paramsEnd()));
        }
      }
      r.edits.replace(m.headerValueStart(h), m.headerValueEnd(h), value.toString());
    }
  }
}

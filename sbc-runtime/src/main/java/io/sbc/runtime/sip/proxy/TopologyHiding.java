package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.seal.DialogSeal;
import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.NameAddr;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.message.SipParseException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Topology hiding and NAT detection for a request, after routing decided: the sender's side is
 * hidden from the other one. Its Via lines, Record-Route values and Contact do not leave (the
 * forwarded copy carries the SBC's Via, the SBC's Record-Route with the sender's route set sealed
 * in it, and the SBC's Contact with the sender's true Contact sealed in its user part), its Call-ID
 * is masked when configured; in a hidden dialog the request is restored from the tokens it names
 * (Request-URI, Route set, Call-ID). Nothing is kept in memory: any replica restores what another
 * hid.
 */
final class TopologyHiding implements RequestStage {
  private final Proxy proxy;

  TopologyHiding(Proxy proxy) {
    this.proxy = proxy;
  }

  @Override
  public String name() {
    return "topology-hiding";
  }

  @Override
  public Outcome process(ProxyRequest r) {
    if (!r.inDialog && r.redirect == null && r.action != null) {
      r.edge = r.action.edge();
    }
    SipMessage m = r.request;
    if (r.edge.detectsNat()) {
      r.natHop = NatDetection.natHop(m, r.source, r.edge.natTests(), true);
      if (r.natHop != null && !r.inDialog && RoutingStage.isDialogCreating(m.method())) {
        // A NATed sender is reachable only where its packets came from, which the other side
        // cannot know: the SBC stays on the dialog's path, whatever the rule says (the sealed
        // Record-Route hop is that source).
        r.recordRoute = true;
      }
    }
    if (!r.edge.hide()) {
      return Outcome.CONTINUE;
    }
    r.hidden = true;
    DialogSeal seal = proxy.dialogSeal();
    byte[] original = originalCallId(r);
    // Vias: only ours leaves; the sender's go back in the responses (HiddenOrigin).
    ByteArrayOutputStream vias = new ByteArrayOutputStream(256);
    int lastVia = -1;
    for (int i = 0; i < m.vias().size(); i++) {
      int h = m.viaHeaderIndex(i);
      if (h == lastVia) {
        continue;
      }
      lastVia = h;
      int s = m.headerLineStart(h);
      int e = m.headerLineEnd(h);
      vias.write(m.bytes(), s, e - s);
      r.edits.delete(s, e);
    }
    int c = m.callIdHeader();
    String callIdText = m.text(m.headerValueStart(c), m.headerValueEnd(c));
    int fh = m.findHeader(HeaderName.FROM);
    int th = m.findHeader(HeaderName.TO);
    r.origin =
        new HiddenOrigin(
            vias.toByteArray(),
            callIdText,
            fh < 0 ? null : m.text(m.headerValueStart(fh), m.headerValueEnd(fh)),
            th < 0 ? null : m.text(m.headerValueStart(th), m.headerValueEnd(th)));
    r.viaToken =
        seal.seal(
            DialogSeal.Kind.VIA,
            new HiddenState.Origin(
                    flags(r.edge),
                    r.origin.vias(),
                    HiddenState.hopOf(r.source.remote(), r.source.protocol()),
                    r.edge.hideFromToHost() ? r.origin.from() : null,
                    r.edge.hideFromToHost() ? r.origin.to() : null)
                .encode(),
            null,
            0,
            0);
    // Call-ID: masked towards the side that did not choose it, the original towards the other.
    if (r.edge.hideCallId()) {
      boolean masked =
          !java.util.Arrays.equals(original, callIdText.getBytes(StandardCharsets.ISO_8859_1));
      String out =
          masked
              ? new String(original, StandardCharsets.ISO_8859_1)
              : seal.maskCallId(original, 0, original.length);
      r.edits.replace(m.headerValueStart(c), m.headerValueEnd(c), out);
    }
    // Record-Route values of a new request: the sender's route set, sealed in our own value.
    if (!r.inDialog) {
      List<String> routes = new ArrayList<>(2);
      for (int h = m.findHeader(HeaderName.RECORD_ROUTE);
          h >= 0;
          h = m.findHeader(HeaderName.RECORD_ROUTE, h + 1)) {
        try {
          int[] v = RoutePreprocessing.values(m, h);
          for (int k = 0; k < v.length; k += 2) {
            NameAddr na = NameAddr.parse(m.bytes(), v[k], v[k + 1], "Record-Route");
            routes.add(m.text(na.uriStart(), na.uriEnd()));
          }
        } catch (SipParseException e) {
          r.answer(400, "Bad Request (" + e.getMessage() + ")", null);
          return Outcome.STOP;
        }
        r.edits.delete(m.headerLineStart(h), m.headerLineEnd(h));
      }
      r.senderRoutes = routes;
    } else {
      // In a hidden dialog: the Request-URI and Route set of the target side come back.
      r.edits.replace(m.uriStart(), m.uriEnd(), r.hiddenTarget.target());
      if (r.hiddenRoutes != null && !r.hiddenRoutes.routes().isEmpty()) {
        StringBuilder sb = new StringBuilder("Route: ");
        List<String> routes = r.hiddenRoutes.routes();
        for (int i = 0; i < routes.size(); i++) {
          sb.append(i == 0 ? "<" : ", <").append(routes.get(i)).append('>');
        }
        r.edits.insert(m.headersEnd(), sb.append("\r\n").toString());
      }
    }
    // Contact: ours, with the sender's true Contact (and NAT source) sealed in its user part.
    int ch = m.findHeader(HeaderName.CONTACT);
    if (ch >= 0 && m.method() != SipMethod.REGISTER) {
      try {
        int[] v = RoutePreprocessing.values(m, ch);
        if (v.length >= 2) {
          NameAddr na = NameAddr.parse(m.bytes(), v[0], v[1], "Contact");
          if (!na.isStar()) {
            HiddenState.Contact sealed =
                new HiddenState.Contact(
                    flags(r.edge), m.text(na.uriStart(), na.uriEnd()), r.natHop);
            r.contactToken =
                seal.seal(DialogSeal.Kind.CONTACT, sealed.encode(), original, 0, original.length);
            r.contactValueStart = m.headerValueStart(ch);
            r.contactValueEnd = m.headerValueEnd(ch);
          }
        }
      } catch (SipParseException e) {
        r.answer(400, "Bad Request (" + e.getMessage() + ")", null);
        return Outcome.STOP;
      }
    }
    return Outcome.CONTINUE;
  }

  static int flags(EdgePolicy p) {
    return (p.hideCallId() ? HiddenState.HIDE_CALL_ID : 0)
        | (p.hideFromToHost() ? HiddenState.HIDE_FROM_TO : 0);
  }

  /** The dialog's original Call-ID: a masked one opened, else the request's own. */
  static byte[] originalCallId(ProxyRequest r) {
    if (r.originalCallId != null) {
      return r.originalCallId;
    }
    SipMessage m = r.request;
    int c = m.callIdHeader();
    byte[] o =
        r.proxy.dialogSeal().unmaskCallId(m.bytes(), m.headerValueStart(c), m.headerValueEnd(c));
    if (o == null) {
      o = java.util.Arrays.copyOfRange(m.bytes(), m.headerValueStart(c), m.headerValueEnd(c));
    }
    r.originalCallId = o;
    return o;
  }
}

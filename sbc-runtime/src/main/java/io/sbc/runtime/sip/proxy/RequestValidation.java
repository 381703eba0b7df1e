package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.message.SipUri;
import io.sbc.runtime.sip.transport.Myself;

/**
 * RFC 3261 section 16.3, request validation: OPTIONS for the proxy itself answered, Max-Forwards
 * (483), Proxy-Require (420), loop detection (482). Syntax (step 1) and the URI scheme (step 2)
 * were checked by the decoder; everything answered here is answered statelessly.
 */
final class RequestValidation implements RequestStage {
  private final Myself myself;
  private final Branches branches;

  RequestValidation(Myself myself, Branches branches) {
    this.myself = myself;
    this.branches = branches;
  }

  @Override
  public String name() {
    return "validation";
  }

  @Override
  public Outcome process(ProxyRequest r) {
    SipMessage m = r.request;
    String method = m.method();
    // Section 11.2 and 16.3 step 3: an OPTIONS for this proxy itself is answered even with
    // Max-Forwards 0; it tells a peer (and a health check) that the SBC is up.
    if (method == SipMethod.OPTIONS && !r.inDialog && isForMe(m)) {
      r.answer(200, "OK", "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n");
      return Outcome.STOP;
    }
    if (m.maxForwards() == 0) {
      r.answer(483, "Too Many Hops", null);
      return Outcome.STOP;
    }
    // Step 5: this proxy supports no extension a Proxy-Require may name.
    int pr = m.findHeader(HeaderName.PROXY_REQUIRE);
    if (pr >= 0) {
      StringBuilder tags = new StringBuilder();
      for (; pr >= 0; pr = m.findHeader(HeaderName.PROXY_REQUIRE, pr + 1)) {
        if (tags.length() > 0) {
          tags.append(", ");
        }
        tags.append(m.text(m.headerValueStart(pr), m.headerValueEnd(pr)));
      }
      r.answer(420, "Bad Extension", "Unsupported: " + tags + "\r\n");
      return Outcome.STOP;
    }
    // Step 4: loop detection, with the hash that section 16.6 step 8 puts into our branch.
    r.loopHash = Branches.loopHash(m);
    if (branches.loops(m, r.loopHash)) {
      r.answer(482, "Loop Detected", null);
      return Outcome.STOP;
    }
    return Outcome.CONTINUE;
  }

  private boolean isForMe(SipMessage m) {
    SipUri u = m.requestUri();
    return (u.scheme() == SipUri.Scheme.SIP || u.scheme() == SipUri.Scheme.SIPS)
        && u.user() == null
        && m.findHeader(HeaderName.ROUTE) < 0
        && myself.isMine(u.host(), u.port());
  }
}

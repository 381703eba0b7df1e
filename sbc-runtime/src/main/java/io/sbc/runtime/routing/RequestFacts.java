package io.sbc.runtime.routing;

import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.NameAddr;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipUri;
import io.sbc.runtime.sip.transport.Flow;
import java.nio.charset.StandardCharsets;

/**
 * The parts of one request that rules look at, extracted on first use and then kept, so a decision
 * that tries several rules reads each part once.
 */
final class RequestFacts {
  final SipMessage request;
  final Flow source;
  private String ruriUser;
  private boolean ruriUserDone;
  private String ruriHost;
  private String fromUser;
  private String fromHost;
  private boolean fromDone;
  private String toUser;
  private String toHost;
  private boolean toDone;

  RequestFacts(SipMessage request, Flow source) {
    this.request = request;
    this.source = source;
  }

  String requestUriUser() {
    if (!ruriUserDone) {
      ruriUserDone = true;
      ruriUser = request.requestUri().user();
    }
    return ruriUser;
  }

  String requestUriHost() {
    if (ruriHost == null) {
      SipUri u = request.requestUri();
      ruriHost = u.host() == null ? "" : u.host();
    }
    return ruriHost;
  }

  String fromUser() {
    from();
    return fromUser;
  }

  String fromHost() {
    from();
    return fromHost;
  }

  String toUser() {
    to();
    return toUser;
  }

  String toHost() {
    to();
    return toHost;
  }

  private void from() {
    if (!fromDone) {
      fromDone = true;
      SipUri u = uriOf(request.from());
      fromUser = u == null ? null : u.user();
      fromHost = u == null ? null : u.host();
    }
  }

  private void to() {
    if (!toDone) {
      toDone = true;
      SipUri u = uriOf(request.to());
      toUser = u == null ? null : u.user();
      toHost = u == null ? null : u.host();
    }
  }

  private static SipUri uriOf(NameAddr a) {
    return a == null ? null : a.uri();
  }

  /** The first value of a header, or null when absent. */
  String header(String name, byte code) {
    int i = code != HeaderName.OTHER ? request.findHeader(code) : request.findHeader(name);
    return i < 0 ? null : request.text(request.headerValueStart(i), request.headerValueEnd(i));
  }

  static byte codeOf(String name) {
    byte[] b = name.getBytes(StandardCharsets.ISO_8859_1);
    return HeaderName.lookup(b, 0, b.length);
  }
}

package io.sbc.runtime.sip.proxy;

import io.sbc.api.syntax.IpLiteral;
import io.sbc.runtime.sip.locate.Hop;
import io.sbc.runtime.sip.locate.UriTarget;
import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.MessageEditor;
import io.sbc.runtime.sip.message.NameAddr;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.message.SipParseException;
import io.sbc.runtime.sip.message.Via;
import io.sbc.runtime.sip.transaction.ClientTransaction;
import io.sbc.runtime.sip.transaction.TransactionLayer;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.FlowTable;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Myself;
import io.sbc.runtime.sip.transport.Protocol;
import io.sbc.runtime.sip.transport.SourceAddresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * RFC 3261 section 16.6, request forwarding: the edits every copy shares (received and rport on the
 * previous hop's Via, Max-Forwards) and those of one branch (our Via with its branch, our
 * Record-Route with its sealed token, Content-Length towards a stream), then the send, through a
 * client transaction or statelessly. Every other byte stays as the sender wrote it.
 */
final class Forwarding {
  private static final byte[] RECORD_ROUTE = "Record-Route: ".getBytes(StandardCharsets.ISO_8859_1);

  private final Myself myself;
  private final TransactionLayer transactions;
  private final SourceAddresses sources;
  private final int maxForwards;
  private final FlowTable flows;

  Forwarding(
      Myself myself,
      TransactionLayer transactions,
      SourceAddresses sources,
      int maxForwards,
      FlowTable flows) {
    this.myself = myself;
    this.transactions = transactions;
    this.sources = sources;
    this.maxForwards = maxForwards;
    this.flows = flows;
  }

  /**
   * The edits every forwarded copy shares: received and rport on the top Via (RFC 3581, as
   * Kamailio's force_rport: responses then find a NATed sender) and Max-Forwards (step 3).
   */
  void commonEdits(ProxyRequest r) {
    SipMessage m = r.request;
    MessageEditor e = r.edits;
    if (r.hidden) {
      // The sender's Via lines do not leave (TopologyHiding): nothing to mark on them.
      maxForwards(r);
      return;
    }
    Via top = m.topVia();
    InetSocketAddress src = r.source.remote();
    // RFC 3261 25.1: via-received is an IPv4address or IPv6address, without brackets; written
    // in the canonical form (RFC 5952) rather than Java's uncompressed one.
    String recv = ";received=" + IpLiteral.canonical(src.getAddress().getAddress());
    String rport = ";rport=" + src.getPort();
    if (top.receivedStart() >= 0) {
      e.replace(top.receivedStart(), top.receivedEnd(), recv);
      recv = "";
    }
    if (top.rportStart() >= 0) {
      e.replace(top.rportStart(), top.rportEnd(), rport + recv);
    } else {
      e.insert(top.end(), recv + rport);
    }
    maxForwards(r);
  }

  private void maxForwards(ProxyRequest r) {
    SipMessage m = r.request;
    MessageEditor e = r.edits;
    int mf = m.maxForwardsHeader();
    if (mf >= 0) {
      e.replace(
          m.headerValueStart(mf), m.headerValueEnd(mf), Integer.toString(m.maxForwards() - 1));
    } else {
      e.insert(m.headersEnd(), "Max-Forwards: " + maxForwards + "\r\n");
    }
  }

  /**
   * Sends one copy of the request to {@code hop}.
   *
   * @param owner the client transaction's user; null to send statelessly
   * @param target the target the copy is for (its own Request-URI and Route values), or null
   * @return the client transaction; null when sent statelessly or when no listener can reach the
   *     hop (the caller treats that as a 503 branch)
   */
  ClientTransaction send(
      ProxyRequest r, Hop hop, String branch, ClientTransaction.Owner owner, Target target) {
    SipMessage m = r.request;
    Flow through = null;
    Listener out;
    if (hop.flow() != 0) {
      // RFC 5626 section 5.3: down the connection the flow token names, from its listener; gone
      // since routing checked it, the branch fails like any transport error.
      through = flows.flow(hop.flow(), hop.address());
      if (through == null) {
        return null;
      }
      out = through.listener();
    } else {
      out = outboundListener(hop, r.source.listener());
    }
    if (out == null) {
      return null;
    }
    MessageEditor e = r.edits;
    int mark = e.mark();
    if (target != null && target.requestUri() != null) {
      // Section 16.6 step 2: the copy for a registered contact carries it as Request-URI.
      e.replace(m.uriStart(), m.uriEnd(), target.requestUri());
    }
    if (target != null && !target.routes().isEmpty()) {
      // RFC 3327 section 5.3: a contact registered through a Path is reached through it.
      e.insert(m.headersEnd(), "Route: " + String.join(",", target.routes()) + "\r\n");
    }
    Listener.Names outNames = out.names(local(out, hop.address().getAddress()));
    if (r.recordRoute) {
      // Record-Route goes before the Via lines (inserted first at a shared offset), so that our
      // Via stays next to the Via it precedes.
      String token = recordRouteToken(r);
      char param = r.hidden ? 'h' : 's';
      Listener in = r.source.listener();
      if (in == out) {
        e.insert(m.startLineEnd(), recordRouteLine(outNames, param, token));
      } else {
        // Step 4 and RFC 5658: changing listener or transport takes two entries.
        e.insert(m.startLineEnd(), recordRouteLine(outNames, param, token));
        Listener.Names inNames = in.names(local(in, r.source.remote().getAddress()));
        e.insert(m.startLineEnd(), recordRouteLine(inNames, param, token));
      }
    }
    if (r.contactToken != null) {
      // Topology hiding: the other side gets our Contact, the sender's sealed in its user part.
      e.replace(
          r.contactValueStart, r.contactValueEnd, hiddenContact(r.contactToken, outNames, out));
    }
    if (r.hidden && r.edge.hideFromToHost()) {
      hideHost(r, m.from(), outNames.host());
      hideHost(r, m.to(), outNames.host());
    }
    e.insert(m.headerLineStart(m.viaHeaderIndex(0)), viaLine(outNames, branch, r.viaToken));
    if (hop.protocol().reliable()
        && m.findHeader(HeaderName.CONTENT_LENGTH) < 0
        && !e.bodyReplaced()) {
      // Step 9 (section 18.3): on a stream the body's length must be given; a datagram without
      // one carried the rest of the packet as body.
      e.insert(m.headersEnd(), "Content-Length: " + m.bodyLength() + "\r\n");
    }
    byte[] bytes = e.apply();
    e.reset(mark);
    // Over TLS the name the hop was resolved from is what the server's certificate must show.
    Flow flow =
        through != null
            ? through
            : new Flow(
                out, hop.address(), null, hop.protocol() == Protocol.TLS ? hop.name() : null);
    if (owner == null) {
      transactions.sender().send(r.loop, flow, bytes, null);
      return null;
    }
    return transactions.startClient(
        r.loop, branch, m.method() == SipMethod.INVITE, flow, bytes, owner);
  }

  SourceAddresses sources() {
    return sources;
  }

  /** The interface address a wildcard listener advertises towards {@code destination}. */
  private InetAddress local(Listener l, InetAddress destination) {
    return l.advertisesInterfaceAddress() ? sources.sourceFor(destination) : null;
  }

  /** The listener a request to this hop leaves from: same transport, same address family. */
  Listener outboundListener(Hop hop, Listener preferred) {
    boolean v6 = hop.address().getAddress() instanceof Inet6Address;
    Protocol p = hop.protocol();
    if (preferred != null && preferred.protocol() == p && preferred.isIpv6() == v6) {
      return preferred;
    }
    for (Listener l : myself.listeners()) {
      if (l.protocol() == p && l.isIpv6() == v6) {
        return l;
      }
    }
    return null;
  }

  private static byte[] viaLine(Listener.Names names, String branch, String hidden) {
    byte[] prefix = names.viaPrefix();
    byte[] br =
        (hidden == null ? branch : branch + ";h=" + hidden).getBytes(StandardCharsets.ISO_8859_1);
    byte[] via = new byte[prefix.length + br.length + 2];
    System.arraycopy(prefix, 0, via, 0, prefix.length);
    System.arraycopy(br, 0, via, prefix.length, br.length);
    via[via.length - 2] = '\r';
    via[via.length - 1] = '\n';
    return via;
  }

  /** Our Contact for a hidden side: its sealed true Contact as the user part. */
  static String hiddenContact(String token, Listener.Names names, Listener l) {
    StringBuilder sb = new StringBuilder(token.length() + 48);
    sb.append("<sip:")
        .append(token)
        .append('@')
        .append(names.host())
        .append(':')
        .append(l.advertisedPort());
    if (l.protocol() != Protocol.UDP) {
      sb.append(";transport=").append(l.protocol().uriName());
    }
    return sb.append('>').toString();
  }

  /** The host (and port) of a From or To URI replaced by ours. */
  private static void hideHost(
      ProxyRequest r, io.sbc.runtime.sip.message.NameAddr na, String host) {
    if (na == null || na.uri() == null || na.uri().hostStart() < 0) {
      return;
    }
    io.sbc.runtime.sip.message.SipUri u = na.uri();
    r.edits.replace(u.hostStart(), u.portEnd(), host);
  }

  private static byte[] recordRouteLine(Listener.Names names, char param, String token) {
    byte[] start = names.recordRouteStart();
    byte[] t =
        token == null ? null : (";" + param + "=" + token).getBytes(StandardCharsets.ISO_8859_1);
    int tl = t == null ? 0 : t.length;
    byte[] line = new byte[RECORD_ROUTE.length + start.length + tl + 3];
    int p = 0;
    System.arraycopy(RECORD_ROUTE, 0, line, p, RECORD_ROUTE.length);
    p += RECORD_ROUTE.length;
    System.arraycopy(start, 0, line, p, start.length);
    p += start.length;
    if (t != null) {
      System.arraycopy(t, 0, line, p, tl);
      p += tl;
    }
    line[p++] = '>';
    line[p++] = '\r';
    line[p] = '\n';
    return line;
  }

  /**
   * The token of the Record-Route value this request carries: the hop that in-dialog requests
   * coming back through it (from the callee's side) go to. That is the previous Record-Route entry
   * (the proxy before us), else the caller's Contact, else the address the request came from.
   */
  private String recordRouteToken(ProxyRequest r) {
    if (r.recordRouteToken != null) {
      return r.recordRouteToken;
    }
    SipMessage m = r.request;
    if (r.hidden) {
      // The sender's route set (its Record-Route values, which do not leave), sealed.
      byte[] original = TopologyHiding.originalCallId(r);
      r.recordRouteToken =
          r.proxy
              .dialogSeal()
              .seal(
                  io.sbc.runtime.seal.DialogSeal.Kind.ROUTES,
                  HiddenState.Routes.of(
                          r.edge,
                          r.senderRoutes == null ? java.util.List.of() : r.senderRoutes,
                          mediaState(r.sealMedia, true))
                      .encode(),
                  original,
                  0,
                  original.length);
      return r.recordRouteToken;
    }
    // A sender behind NAT is reached where its packets came from, not at its Contact; one reached
    // only through its connection, down that connection (a flow token, RFC 5626 section 5.2).
    boolean adjacent = m.findHeader(HeaderName.RECORD_ROUTE) < 0;
    UriTarget hop =
        reachedThroughFlow(r.source, adjacent, r.natHop != null, m)
            ? flowOf(r.source)
            : r.natHop != null && adjacent ? r.natHop : upstreamHop(m);
    if (hop == null) {
      InetSocketAddress src = r.source.remote();
      hop =
          new UriTarget(
              IpLiteral.uriHost(src.getAddress()), src.getPort(), r.source.protocol(), false);
    }
    int c = m.callIdHeader();
    r.recordRouteToken =
        r.proxy
            .routeSeal()
            .seal(
                m.bytes(),
                m.headerValueStart(c),
                m.headerValueEnd(c),
                hop,
                mediaState(r.sealMedia, true));
    return r.recordRouteToken;
  }

  /**
   * Whether a peer is reached through the connection it opened rather than at an address: always
   * over WebSocket (RFC 7118 section 5: nobody can connect to a WebSocket client); over TCP when
   * the peer is the client itself and cannot be connected to either (behind NAT, or a Contact that
   * says so with an {@code .invalid} host, RFC 5626 section 4.2.1).
   */
  static boolean reachedThroughFlow(Flow from, boolean adjacent, boolean natted, SipMessage m) {
    if (from == null || from.id() == 0) {
      return false;
    }
    return from.protocol().websocket() || (adjacent && (natted || invalidContact(m)));
  }

  /** The flow of a connection as a hop to seal: its address, port, transport and number. */
  static UriTarget flowOf(Flow f) {
    InetSocketAddress a = f.remote();
    return new UriTarget(
        IpLiteral.uriHost(a.getAddress()), a.getPort(), f.protocol(), false, f.id());
  }

  /** Whether the first Contact's host is in the .invalid domain (RFC 2606, RFC 7118 section 5). */
  static boolean invalidContact(SipMessage m) {
    UriTarget c = contactHop(m);
    if (c == null) {
      return false;
    }
    String h = c.host();
    return h.regionMatches(true, Math.max(0, h.length() - 8), ".invalid", 0, 8);
  }

  /**
   * The media state bytes a Record-Route token carries, or null.
   *
   * @param heldByCallee the request's copy (the callee keeps it): requests through it come from the
   *     callee's side
   */
  static byte[] mediaState(DialogMedia m, boolean heldByCallee) {
    return m == null ? null : m.encode(heldByCallee);
  }

  /**
   * The first Record-Route value, else the first Contact, as a hop; null when neither is usable.
   */
  static UriTarget upstreamHop(SipMessage m) {
    UriTarget t = firstUriOf(m, HeaderName.RECORD_ROUTE);
    return t != null ? t : contactHop(m);
  }

  /** The first Contact of a message as a hop, or null. */
  static UriTarget contactHop(SipMessage m) {
    return firstUriOf(m, HeaderName.CONTACT);
  }

  private static UriTarget firstUriOf(SipMessage m, byte code) {
    int h = m.findHeader(code);
    if (h < 0) {
      return null;
    }
    try {
      int[] v = RoutePreprocessing.values(m, h);
      if (v.length < 2) {
        return null;
      }
      NameAddr na = NameAddr.parse(m.bytes(), v[0], v[1], HeaderName.canonical(code));
      return na.uri() == null ? null : UriTarget.of(na.uri(), new String[1]);
    } catch (SipParseException e) {
      return null; // unusable: the caller falls back to the next source of the hop
    }
  }
}

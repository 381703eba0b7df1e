package io.sbc.runtime.sip.transaction;

import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.message.Via;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Loop;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The transaction tables (RFC 3261 section 17): server transactions found by the matching rules of
 * section 17.2.3, client transactions by the branch this proxy generated (section 17.1.3).
 *
 * <p>The tables are shared by all loops; each transaction is owned by the loop that created it, and
 * callers on another loop hand their event to it ({@link Loop#execute(Runnable)}).
 */
public final class TransactionLayer {
  private static final ClientTransaction.Owner IGNORE =
      new ClientTransaction.Owner() {
        @Override
        public void onResponse(ClientTransaction tx, SipMessage response) {}

        @Override
        public void onTimeout(ClientTransaction tx) {}

        @Override
        public void onTransportError(ClientTransaction tx) {}
      };

  private final MessageSender sender;
  private final TimerSettings timers;
  private final ConcurrentHashMap<String, ServerTransaction> servers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ClientTransaction> clients = new ConcurrentHashMap<>();

  public TransactionLayer(MessageSender sender, TimerSettings timers) {
    this.sender = sender;
    this.timers = timers;
  }

  public MessageSender sender() {
    return sender;
  }

  public TimerSettings timers() {
    return timers;
  }

  public int serverCount() {
    return servers.size();
  }

  public int clientCount() {
    return clients.size();
  }

  /**
   * The key under which a request's server transaction is found (section 17.2.3): the branch when
   * it carries the magic cookie, else the RFC 2543 fields. ACK and CANCEL get the key of the INVITE
   * they belong to; other methods add the method (the same branch may be reused).
   */
  public static String serverKey(SipMessage request) {
    Via via = request.topVia();
    String method = request.method();
    boolean inviteClass =
        method == SipMethod.INVITE || method == SipMethod.ACK || method == SipMethod.CANCEL;
    String base;
    if (via.hasMagicCookieBranch()) {
      base = via.branch();
    } else {
      // RFC 2543 matching: Request-URI, To tag, From tag, Call-ID, CSeq number and top Via.
      base =
          "2543|"
              + request.text(request.uriStart(), request.uriEnd())
              + '|'
              + request.fromTag()
              + '|'
              + request.callId()
              + '|'
              + request.cseq()
              + '|'
              + request.text(via.start(), via.end());
    }
    return inviteClass ? base : base + '|' + method;
  }

  public ServerTransaction findServer(String key) {
    return servers.get(key);
  }

  /** Creates a server transaction, or returns the one that already has this key. */
  public ServerTransaction createServer(Loop loop, String key, SipMessage request, Flow flow) {
    ServerTransaction tx = new ServerTransaction(this, loop, key, request, flow);
    ServerTransaction prev = servers.putIfAbsent(key, tx);
    return prev != null ? prev : tx;
  }

  public ClientTransaction findClient(String branch) {
    return branch == null ? null : clients.get(branch);
  }

  /** Creates a client transaction and sends its request. */
  public ClientTransaction startClient(
      Loop loop,
      String branch,
      boolean invite,
      Flow flow,
      byte[] request,
      ClientTransaction.Owner owner) {
    ClientTransaction tx = new ClientTransaction(this, loop, branch, invite, flow, request, owner);
    clients.put(branch, tx);
    tx.start();
    return tx;
  }

  /** The CANCEL of an INVITE branch: same branch, so found through the INVITE (section 9.1). */
  ClientTransaction startCancel(ClientTransaction invite, byte[] cancel) {
    ClientTransaction tx =
        new ClientTransaction(
            this, invite.loop(), invite.branch(), false, invite.flow(), cancel, IGNORE);
    tx.start();
    return tx;
  }

  void remove(ServerTransaction tx) {
    servers.remove(tx.key(), tx);
  }

  void remove(ClientTransaction tx) {
    clients.remove(tx.branch(), tx);
  }
}

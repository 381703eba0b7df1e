package io.sbc.runtime.sip.transaction;

import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.message.Via;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Loop;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

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
  private final LongAdder fallbacks = new LongAdder();

  /** Prefix of the To tags of the fallback's answers: random, so that they are unique. */
  private final String tagPrefix =
      "sbctx" + Long.toString(new SecureRandom().nextLong() & 0xFFFF_FFFFL, 36);

  public TransactionLayer(MessageSender sender, TimerSettings timers) {
    this.sender = sender;
    this.timers = timers;
  }

  /** How many server transactions answered for a user that sent no final (a bug to look at). */
  public long fallbacks() {
    return fallbacks.sum();
  }

  void countFallback() {
    fallbacks.increment();
  }

  /** A To tag for a response this layer sends itself, the same for every retransmission. */
  String toTag(String key) {
    return tagPrefix + Integer.toHexString(key.hashCode());
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
   * The key under which a request's server transaction is found (section 17.2.3): with the magic
   * cookie, the branch and the top Via's sent-by (host in lower case, port as written), else the
   * RFC 2543 fields. ACK and CANCEL get the key of the INVITE they belong to; other methods add the
   * method (the same branch may be reused). Built in one string of its exact length.
   */
  public static String serverKey(SipMessage request) {
    Via via = request.topVia();
    String method = request.method();
    boolean inviteClass =
        method == SipMethod.INVITE || method == SipMethod.ACK || method == SipMethod.CANCEL;
    if (via.hasMagicCookieBranch()) {
      // Section 17.2.3: "the branch parameter in the request is equal to the one in the top Via
      // header field of the request that created the transaction, the sent-by value in the top
      // Via of the request is equal to the one in the request that created the transaction, and
      // the method of the request matches the one that created the transaction, except for ACK".
      // Sent-by keeps two clients that picked the same branch apart.
      byte[] b = via.buffer();
      int bs = via.branchValueStart();
      int be = via.branchValueEnd();
      int hs = via.hostStart();
      int he = via.hostEnd();
      int port = via.port();
      int len =
          be - bs + 1 + he - hs + (port > 0 ? 6 : 0) + (inviteClass ? 0 : 1 + method.length());
      StringBuilder k = new StringBuilder(len);
      for (int i = bs; i < be; i++) {
        k.append((char) (b[i] & 0xFF));
      }
      k.append('|');
      for (int i = hs; i < he; i++) {
        int c = b[i] & 0xFF;
        k.append((char) (c >= 'A' && c <= 'Z' ? c + 32 : c)); // host names: case-insensitive
      }
      if (port > 0) {
        k.append(':').append(port);
      }
      if (!inviteClass) {
        k.append('|').append(method);
      }
      return k.toString();
    }
    // RFC 2543 matching: Request-URI, To tag, From tag, Call-ID, CSeq number and top Via.
    String base =
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
    return inviteClass ? base : base + '|' + method;
  }

  public ServerTransaction findServer(String key) {
    return servers.get(key);
  }

  /** Creates a server transaction, or returns the one that already has this key. */
  public ServerTransaction createServer(Loop loop, String key, SipMessage request, Flow flow) {
    ServerTransaction tx = new ServerTransaction(this, loop, key, request, flow);
    ServerTransaction prev = servers.putIfAbsent(key, tx);
    if (prev != null) {
      return prev;
    }
    tx.start();
    return tx;
  }

  /**
   * The client transaction that sent {@code branch}: an INVITE's CANCEL shares its branch and is
   * reached through it ({@link ClientTransaction#onResponse} hands CANCEL responses over).
   */
  public ClientTransaction findClient(String branch) {
    return branch == null ? null : clients.get(branch);
  }

  /** Creates a client transaction for the request (its method read from its request line). */
  public ClientTransaction startClient(
      Loop loop, String branch, Flow flow, byte[] request, ClientTransaction.Owner owner) {
    String method = ClientTransaction.methodOf(request);
    ClientTransaction tx =
        new ClientTransaction(
            this, loop, branch, method, method == SipMethod.INVITE, flow, request, owner);
    clients.put(branch, tx);
    tx.start();
    return tx;
  }

  /**
   * Creates a client transaction and sends its request.
   *
   * @param invite whether the request is an INVITE; must agree with its request line
   */
  public ClientTransaction startClient(
      Loop loop,
      String branch,
      boolean invite,
      Flow flow,
      byte[] request,
      ClientTransaction.Owner owner) {
    if (invite != (ClientTransaction.methodOf(request) == SipMethod.INVITE)) {
      throw new IllegalArgumentException("invite flag disagrees with the request line");
    }
    return startClient(loop, branch, flow, request, owner);
  }

  /** The CANCEL of an INVITE branch: same branch, so found through the INVITE (section 9.1). */
  ClientTransaction startCancel(ClientTransaction invite, byte[] cancel) {
    ClientTransaction tx =
        new ClientTransaction(
            this,
            invite.loop(),
            invite.branch(),
            SipMethod.CANCEL,
            false,
            invite.flow(),
            cancel,
            IGNORE);
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

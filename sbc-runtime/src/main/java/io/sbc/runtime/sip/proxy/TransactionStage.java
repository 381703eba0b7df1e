package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.transaction.ServerTransaction;
import io.sbc.runtime.sip.transaction.TransactionLayer;

/**
 * Creates the server transaction of a request a stateful proxy handles (RFC 3261 section 16.2),
 * before any stage may pause: from here on retransmissions are absorbed, and an INVITE gets its 100
 * Trying at once. ACKs (their own transaction for a 2xx) and stateless mode pass through.
 */
final class TransactionStage implements RequestStage {
  private final TransactionLayer transactions;
  private final boolean stateless;

  TransactionStage(TransactionLayer transactions, boolean stateless) {
    this.transactions = transactions;
    this.stateless = stateless;
  }

  @Override
  public String name() {
    return "transaction";
  }

  @Override
  public Outcome process(ProxyRequest r) {
    if (stateless || r.isAck()) {
      return Outcome.CONTINUE;
    }
    ServerTransaction stx =
        transactions.createServer(
            r.loop, r.serverKey, r.request, Proxy.responseFlow(r.source, r.request));
    if (stx.loop() != r.loop || stx.attachment() != null) {
      // Lost a race with a retransmission that created it on another loop: that one handles it.
      stx.loop().execute(stx::onRetransmission);
      return Outcome.STOP;
    }
    r.server = stx;
    stx.attach(r);
    if (r.request.method() == SipMethod.INVITE) {
      // Section 16.2: a stateful proxy answers INVITE with 100 at once, ending retransmissions.
      stx.sendResponse(100, Responses.build(r.request, 100, "Trying", null, null));
    }
    return Outcome.CONTINUE;
  }
}

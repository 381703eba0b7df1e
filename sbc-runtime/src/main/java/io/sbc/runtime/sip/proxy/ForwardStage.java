package io.sbc.runtime.sip.proxy;

/**
 * The last request stage (RFC 3261 section 16.6): the edits every copy shares, then the response
 * context that forwards to the targets (16.7), or, for an ACK of a 2xx and in stateless mode
 * (16.11), one copy sent without a transaction.
 */
final class ForwardStage implements RequestStage {
  private final Proxy proxy;

  ForwardStage(Proxy proxy) {
    this.proxy = proxy;
  }

  @Override
  public String name() {
    return "forward";
  }

  @Override
  public Outcome process(ProxyRequest r) {
    proxy.forwarding().commonEdits(r);
    if (r.server == null) {
      proxy.forwardStatelessly(r);
      return Outcome.STOP;
    }
    ResponseContext ctx = new ResponseContext(proxy, r.server, r);
    r.server.attach(ctx);
    ctx.start();
    return Outcome.STOP;
  }
}

package io.sbc.runtime.config;

import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.proxy.RouteAction;
import io.sbc.runtime.sip.proxy.Router;
import io.sbc.runtime.sip.transport.Flow;
import java.util.List;
import java.util.Set;

/**
 * Routes by the rules of the SipRoutes attached to the gateway, first matching rule wins (rules in
 * document order); a request no rule matches is answered 404.
 */
final class StaticRouter implements Router {
  /** One compiled rule: the methods it matches (null: any) and its action. */
  record Rule(Set<String> methods, RouteAction action) {}

  private final List<Rule> rules;

  StaticRouter(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  @Override
  public RouteAction route(SipMessage request, Flow source) {
    for (Rule r : rules) {
      if (r.methods() == null || r.methods().contains(request.method())) {
        return r.action();
      }
    }
    return RouteAction.reject(404, "Not Found (no route)");
  }
}

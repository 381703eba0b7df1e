package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.transport.Flow;

/** Decides where a new (out-of-dialog) request goes; swapped atomically on reload. */
@FunctionalInterface
public interface Router {
  RouteAction route(SipMessage request, Flow source);
}

package io.sbc.runtime.sip.proxy;

/**
 * How the proxy core behaves, independent of routing.
 *
 * @param stateless forward without transactions (section 16.11)
 * @param maxForwards the Max-Forwards value added when a request has none (section 16.6 step 3)
 */
public record ProxySettings(boolean stateless, int maxForwards) {}

package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.transport.Listener;
import java.util.List;
import java.util.Set;

/**
 * How the proxy core behaves, independent of routing.
 *
 * @param listeners every address the SBC serves (its own URIs and Via sent-by values)
 * @param aliases further host names that mean this SBC (RFC 3261 16.4 "myself")
 * @param stateless forward without transactions (section 16.11)
 * @param maxForwards the Max-Forwards value added when a request has none (section 16.6 step 3)
 */
public record ProxySettings(
    List<Listener> listeners, Set<String> aliases, boolean stateless, int maxForwards) {}

/**
 * Declarative routing compiled: SipRoute rules into a {@link io.sbc.runtime.routing.RoutingTable}
 * (exact and prefix indexes on the Request-URI user, CIDR sets, patterns compiled once) that the
 * proxy asks for each new request.
 *
 * <p>Contract: a table is immutable once built and swapped whole on reload; a decision never
 * blocks, and only the rules that use a regular expression run one, on RE2 (linear in the input). A
 * rewritten Request-URI user is checked before it is forwarded. Randomness comes from an injected
 * generator, so tests can replay decisions. Must not import the transport or transaction internals.
 */
package io.sbc.runtime.routing;

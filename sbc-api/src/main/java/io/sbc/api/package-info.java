/**
 * The declarative model: SipGateway, SipRoute and SipDispatcher documents (apiVersion
 * sbc.io/v1alpha1), their defaults ({@link io.sbc.api.Defaults}), reading and validation.
 *
 * <p>Contract: the one schema shared by the runtime and (later) the operator's CRDs. Depends on
 * Jackson and RE2/J only; performs no I/O beyond parsing the text it is handed (no name resolution
 * either: a destination's host name is checked for syntax and kept as a name, which the runtime
 * resolves). A {@link io.sbc.api.Configuration} returned by {@link io.sbc.api.ConfigReader} is
 * valid as a whole: every route's parent gateways, match listeners and dispatcher backendRefs exist
 * in it, regular expressions compile as RE2 (what the runtime runs) and every rule has exactly one
 * action, so the runtime need not check these again. Rule precedence and the behaviour when no rule
 * applies are those of {@link io.sbc.api.SipRoute}.
 */
package io.sbc.api;

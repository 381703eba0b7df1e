/**
 * The registrar's state (RFC 3261 section 10, RFC 5626, RFC 3327): where each address-of-record is
 * reached ({@link io.sbc.runtime.registrar.LocationStore}, bindings of {@link
 * io.sbc.runtime.registrar.Binding}) and who may register or call ({@link
 * io.sbc.runtime.registrar.CredentialStore}, {@link io.sbc.runtime.registrar.Subscriber} holding
 * HA1 hashes only).
 *
 * <p>Contract of the stores: they never block the caller. Every operation takes the {@link
 * io.sbc.runtime.sip.transport.Loop} that asks and answers exactly once through a {@link
 * io.sbc.runtime.registrar.StoreAnswer}, on that loop: synchronously, before the call returns, when
 * the answer is at hand (the in-memory stores), later otherwise (a database), so a proxy stage that
 * pauses resumes where it runs. A null loop means a caller off the event loops (the management
 * API): the answer then runs on whatever thread completes it. An update of one address-of-record is
 * atomic: {@link io.sbc.runtime.registrar.BindingChange} is a pure function of the bindings current
 * at that moment, which a store may run more than once (a database retrying a conflict) and on any
 * thread. Expired bindings are never returned and are removed on time without scanning the table on
 * an event loop. Imports the transport and timer packages only.
 */
package io.sbc.runtime.registrar;

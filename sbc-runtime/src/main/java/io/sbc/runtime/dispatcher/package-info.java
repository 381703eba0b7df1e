/**
 * Destination pools (Kamailio's dispatcher module, declared by {@code SipDispatcher} documents): a
 * {@link io.sbc.runtime.dispatcher.Dispatcher} orders a pool's destinations for a request by its
 * algorithm, tracks each destination's health from call outcomes and OPTIONS probes, and counts its
 * calls.
 *
 * <p>Contract: {@link io.sbc.runtime.dispatcher.Dispatcher#select select} and the {@link
 * io.sbc.runtime.sip.proxy.TargetFeedback} of each destination may run on any event loop at once;
 * they use atomics only, never block and never lock. Probes of one dispatcher run on the one loop
 * given to {@link io.sbc.runtime.dispatcher.Dispatcher#startProbing startProbing}, with timers on
 * its wheel. Randomness comes only from the generator a caller passes in, so that tests replay
 * decisions. A destination is skipped by selection unless ACTIVE; with probing disabled nothing
 * takes one out (nothing could bring it back). Health survives {@link
 * io.sbc.runtime.dispatcher.Dispatcher#update reloads} for every URI kept.
 */
package io.sbc.runtime.dispatcher;

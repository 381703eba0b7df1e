/**
 * Admission of sources before anything is parsed (Kamailio's pike, secfilter and htable bans):
 * listener allow and deny networks, a token bucket per source address with temporary bans, and
 * scanners recognized by their User-Agent, all refused silently.
 *
 * <p>Contract: {@link io.sbc.runtime.sip.admission.SourceGuard} is the transports' {@link
 * io.sbc.runtime.sip.transport.SourceFilter}; it runs on the loop that received the message, keeps
 * one fixed-size table per loop (bounded memory whatever the number of sources, nothing allocated
 * per admitted message, no lock), and reads its policy through one volatile field that a reload
 * replaces. Imports the transport package and the routing package's {@code CidrSet} only.
 */
package io.sbc.runtime.sip.admission;

/**
 * The transaction layer (RFC 3261 section 17, with RFC 6026): client and server transactions for
 * INVITE and non-INVITE, their timers A to M on each loop's timer wheel, and the tables that match
 * requests and responses to them. Every transaction ends on its own: a server transaction whose
 * user sends no final answers 500 after a fallback timer.
 *
 * <p>Contract: a transaction is only touched on the loop that owns it; the layer sends through
 * {@link io.sbc.runtime.sip.transaction.MessageSender} and never sees sockets. Must not import the
 * proxy package.
 */
package io.sbc.runtime.sip.transaction;

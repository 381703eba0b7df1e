/**
 * What the SBC writes into SIP messages so that it can trust it when it comes back: keys the
 * gateway's replicas share ({@link io.sbc.runtime.seal.SealKeys}) and the authenticated
 * Record-Route tokens that decide where in-dialog requests go ({@link
 * io.sbc.runtime.seal.RouteSeal}).
 *
 * <p>Contract: any replica opens what another sealed, and a restarted one still can, as long as
 * they share a key; a tampered, truncated or foreign token never opens. Thread safe, no blocking,
 * no allocation beyond the token itself. Imports the message, transport and locate packages only.
 */
package io.sbc.runtime.seal;

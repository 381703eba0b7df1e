/**
 * The SBC data plane process: reads a configuration, binds the listeners on Vert.x's event loops
 * and runs the SIP layers (message, transport, transaction, proxy) under {@code
 * io.sbc.runtime.sip}.
 *
 * <p>Contract: all SIP work runs on event loops and never blocks them.
 */
package io.sbc.runtime;

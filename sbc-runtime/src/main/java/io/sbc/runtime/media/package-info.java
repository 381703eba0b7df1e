/**
 * Media anchoring on RTPengine over its ng control protocol (sipwise/rtpengine
 * docs/ng_control_protocol.md): a message is a cookie, a space and a bencoded dictionary; the reply
 * carries the same cookie.
 *
 * <p>What this package promises:
 *
 * <ul>
 *   <li>{@link io.sbc.runtime.media.BencodeDecoder} reads hostile bytes: bounded nesting depth and
 *       element count, lengths checked against the input before anything is allocated, no regular
 *       expressions; malformed input is a {@link io.sbc.runtime.media.BencodeException}, never
 *       another exception or an unbounded allocation.
 *   <li>{@link io.sbc.runtime.media.NgClient} never blocks an event loop: one UDP socket per loop,
 *       a command sent from a loop is answered on that loop (its reply comes back to that loop's
 *       socket, matched by cookie and by the instance's address), an unanswered command is sent
 *       again with the same cookie after the timeout, and fails after the last try. Its callback
 *       never runs inside the call that sent the command.
 *   <li>{@link io.sbc.runtime.media.RtpEngines} chooses a call's instance by a weighted rendezvous
 *       hash of the dialog's original Call-ID, so every replica picks the same one while they see
 *       the same instances up; an instance whose command or {@code ping} fails is skipped until a
 *       {@code ping} is answered again.
 *   <li>{@link io.sbc.runtime.media.MediaRequestStage} and {@link
 *       io.sbc.runtime.media.MediaResponseStage} are proxy stages: {@code offer} for a request with
 *       SDP, {@code answer} for a response (or an ACK) with SDP, {@code delete} on BYE and when the
 *       INVITE fails; the request or response waits (a pause of its stage), never a thread.
 * </ul>
 *
 * <p>Must not import {@code sip.transaction} or {@code sip.transport} internals beyond {@code
 * Loop}.
 */
package io.sbc.runtime.media;

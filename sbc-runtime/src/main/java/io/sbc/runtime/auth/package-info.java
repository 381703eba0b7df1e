/**
 * Digest authentication (RFC 3261 section 22, RFC 7616, RFC 8760): challenges offering SHA-256 and
 * MD5 with qop=auth, nonces every replica verifies without shared state (an HMAC over the issue
 * time under the gateway's sealing secret, {@link io.sbc.runtime.seal.SealKeys}), nonce-count
 * replay protection in a table of fixed size, and failed attempts counted per source, which is
 * blocked for a while after too many.
 *
 * <p>Contract: {@link io.sbc.runtime.auth.AuthenticationStage} is the proxy stage that decides, per
 * the rule's {@link io.sbc.runtime.sip.proxy.AccessPolicy}, whether a request goes on (a trusted
 * source, valid credentials) or is challenged (401 for REGISTER, 407 otherwise) or refused (403);
 * the subscriber's HA1 comes from a {@link io.sbc.runtime.registrar.CredentialStore},
 * asynchronously (the request pauses, never the loop). Credentials are never logged. Imports the
 * proxy, message, seal, timer and registrar packages.
 */
package io.sbc.runtime.auth;

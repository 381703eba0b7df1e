/**
 * The declarative model: SipGateway and SipRoute documents (apiVersion sbc.io/v1alpha1), their
 * defaults ({@link io.sbc.api.Defaults}), reading and validation.
 *
 * <p>Contract: the one schema shared by the runtime and (later) the operator's CRDs. Depends on
 * Jackson only; performs no I/O beyond parsing the text it is handed.
 */
package io.sbc.api;

/**
 * The status of the custom resources, as the operator writes it (Gateway API style): conditions
 * with a type, a status, a reason, a message and the generation they describe.
 *
 * <p>Contract: plain Jackson-mapped types, no behaviour beyond equality; not part of the
 * configuration documents (a configuration file has no status), so {@code Schema} does not list
 * them. Depends on Jackson only.
 */
package io.sbc.api.status;

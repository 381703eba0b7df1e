/**
 * The custom resource classes (group sbc.io, version v1alpha1): thin wrappers of sbc-api's spec and
 * status types, from which the build generates the CRDs (see ../crds and operator/README.md).
 *
 * <p>Contract: no logic; the schema lives in sbc-api.
 */
package io.sbc.operator.crd;

/**
 * Pure builders of desired state: from the custom resources (and, for addresses and status, what
 * the API server reported) to the ConfigMap, Deployment, Service, RBAC, HorizontalPodAutoscaler,
 * PodDisruptionBudget and status objects the operator wants.
 *
 * <p>Contract: functions of their arguments only, no I/O. Must not import the Kubernetes client,
 * the Java Operator SDK or {@code io.sbc.operator.reconciler} (a test enforces it); fabric8's model
 * classes (io.fabric8.kubernetes.api.model) are the vocabulary.
 */
package io.sbc.operator.model;

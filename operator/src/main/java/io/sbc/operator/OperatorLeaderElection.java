package io.sbc.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;
import jakarta.inject.Singleton;

/**
 * Leader election through the Lease {@value #LEASE} in the operator's namespace, so that two
 * operator replicas (high availability, or a rolling update) never reconcile at the same time: the
 * one holding the Lease does, the other waits to take over. Active in the prod profile (the Quarkus
 * Operator SDK's default), not in tests against the mock API server.
 */
@Singleton
@Unremovable
public class OperatorLeaderElection extends LeaderElectionConfiguration {
  static final String LEASE = "sbc-operator-leader";

  public OperatorLeaderElection() {
    // OPERATOR_NAMESPACE comes from the downward API (the chart sets it); else the client's.
    super(LEASE, System.getenv("OPERATOR_NAMESPACE"));
  }
}

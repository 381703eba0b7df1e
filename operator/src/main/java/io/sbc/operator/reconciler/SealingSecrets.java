package io.sbc.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.sbc.operator.crd.SipGatewayResource;
import io.sbc.operator.model.Names;
import io.sbc.operator.model.WorkloadModel;
import java.net.HttpURLConnection;
import java.security.SecureRandom;

/**
 * Makes a gateway's sealing Secret once, when the gateway has no spec.sealing, and never writes it
 * again: a new secret would refuse every dialog in progress, and rotating it is the user's.
 *
 * <p>Not a dependent resource: a dependent of type Secret is read through an informer, which takes
 * list and watch on every Secret of the namespace (and the generated RBAC would ask for them); a
 * get by name per reconciliation is all this needs. A Secret of that name that already exists (a
 * restored backup, a rotation under way) is used as it is. Its owner reference lets the garbage
 * collector delete it with the gateway.
 */
final class SealingSecrets {
  private SealingSecrets() {}

  private static final SecureRandom RANDOM = new SecureRandom();

  /** The gateway's Secret, made now if it is missing; null when spec.sealing is set. */
  static Secret ensure(SipGatewayResource gw, KubernetesClient client) {
    if (!WorkloadModel.providesSealingSecret(gw)) {
      return null;
    }
    Resource<Secret> existing =
        client
            .secrets()
            .inNamespace(gw.getMetadata().getNamespace())
            .withName(Names.sealingSecret(gw));
    Secret found = existing.get();
    if (found != null) {
      return found;
    }
    Secret secret = WorkloadModel.sealingSecret(gw, WorkloadModel.newSealingSecret(RANDOM));
    secret.addOwnerReference(gw);
    try {
      return client.resource(secret).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return existing.get(); // made meanwhile (by the user): that one is the secret
      }
      throw e;
    }
  }
}

package io.sbc.runtime.config;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.sbc.api.ObjectMeta;
import io.sbc.api.SipGateway;
import io.sbc.api.SipResource;
import io.sbc.api.SipRoute;

/**
 * Registers the model classes of sbc-api for reflection, so that Jackson can bind configuration
 * documents to them in a native image (their fields and no-argument constructors are found by
 * reflection). Every class that a document maps to is listed, nested spec classes included.
 */
@RegisterForReflection(
    targets = {
      SipResource.class,
      ObjectMeta.class,
      SipGateway.class,
      SipGateway.Spec.class,
      SipGateway.Listener.class,
      SipGateway.Proxy.class,
      SipGateway.Timers.class,
      SipGateway.Limits.class,
      SipRoute.class,
      SipRoute.Spec.class,
      SipRoute.ParentRef.class,
      SipRoute.Rule.class,
      SipRoute.Match.class,
      SipRoute.BackendRef.class
    })
public final class ModelReflection {
  private ModelReflection() {}
}

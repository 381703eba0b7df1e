package io.sbc.runtime.config;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.sbc.api.IntOrName;
import io.sbc.api.ObjectMeta;
import io.sbc.api.SipDispatcher;
import io.sbc.api.SipGateway;
import io.sbc.api.SipResource;
import io.sbc.api.SipRoute;

/**
 * Registers the model classes of sbc-api for reflection, so that Jackson can bind configuration
 * documents to them in a native image (their fields and no-argument constructors are found by
 * reflection). Every class that a document maps to is listed, nested spec classes included;
 * ModelReflectionTest fails when a model class is missing here.
 */
@RegisterForReflection(
    targets = {
      IntOrName.class,
      ObjectMeta.class,
      SipDispatcher.class,
      SipDispatcher.Spec.class,
      SipDispatcher.Destination.class,
      SipDispatcher.Probe.class,
      SipDispatcher.ServiceRef.class,
      SipGateway.class,
      SipGateway.Spec.class,
      SipGateway.Listener.class,
      SipGateway.Proxy.class,
      SipGateway.Timers.class,
      SipGateway.Limits.class,
      SipGateway.Sealing.class,
      SipGateway.AntiFlood.class,
      SipGateway.Scanners.class,
      SipGateway.Dns.class,
      io.sbc.api.TopologyHiding.class,
      io.sbc.api.NatTraversal.class,
      io.sbc.api.Tls.Listener.class,
      io.sbc.api.Tls.CertificateFiles.class,
      io.sbc.api.Tls.CertificateRef.class,
      io.sbc.api.Tls.Client.class,
      SipGateway.Autoscaling.class,
      SipGateway.GatewayCallLimits.class,
      SipGateway.Media.class,
      SipGateway.MediaInstance.class,
      io.sbc.api.MediaAnchoring.class,
      SipGateway.Infrastructure.class,
      SipGateway.Toleration.class,
      SipGateway.Resources.class,
      SipResource.class,
      SipRoute.class,
      SipRoute.Spec.class,
      SipRoute.ParentRef.class,
      SipRoute.Rule.class,
      SipRoute.Match.class,
      SipRoute.UriMatch.class,
      SipRoute.StringMatch.class,
      SipRoute.HeaderMatch.class,
      SipRoute.Filter.class,
      SipRoute.RewriteUser.class,
      SipRoute.Replace.class,
      SipRoute.RequestHeaderModifier.class,
      SipRoute.Header.class,
      SipRoute.RewriteRequestUri.class,
      SipRoute.RecordRoute.class,
      SipRoute.BackendRef.class,
      SipRoute.Failover.class,
      SipRoute.Reject.class,
      SipRoute.Redirect.class,
      SipRoute.Respond.class,
      SipRoute.CallLimits.class,
      SipRoute.Authentication.class,
      SipGateway.Registrar.class,
      SipGateway.Subscriber.class,
      SipGateway.Alias.class
    })
public final class ModelReflection {
  private ModelReflection() {}
}

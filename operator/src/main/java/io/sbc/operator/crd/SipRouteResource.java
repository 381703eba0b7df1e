package io.sbc.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import io.sbc.api.SipRoute;
import io.sbc.api.status.SipRouteStatus;

/** The SipRoute custom resource: sbc-api's SipRoute spec, and its per-parent status. */
@Group(SipGatewayResource.GROUP)
@Version(SipGatewayResource.VERSION)
@Kind(SipRoute.KIND)
@Plural("siproutes")
@Singular("siproute")
@ShortNames("srt")
@AdditionalPrinterColumn(
    name = "Parents",
    jsonPath = ".spec.parentRefs[*].name",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Accepted",
    jsonPath = ".status.parents[*].conditions[?(@.type==\"Accepted\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "ResolvedRefs",
    jsonPath = ".status.parents[*].conditions[?(@.type==\"ResolvedRefs\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class SipRouteResource extends CustomResource<SipRoute.Spec, SipRouteStatus>
    implements Namespaced {

  @Override
  protected SipRoute.Spec initSpec() {
    return new SipRoute.Spec();
  }
}

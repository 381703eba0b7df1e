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
import io.sbc.api.SipGateway;
import io.sbc.api.status.SipGatewayStatus;

/** The SipGateway custom resource: sbc-api's SipGateway spec, and its status. */
@Group(SipGatewayResource.GROUP)
@Version(SipGatewayResource.VERSION)
@Kind(SipGateway.KIND)
@Plural("sipgateways")
@Singular("sipgateway")
@ShortNames("sgw")
@AdditionalPrinterColumn(
    name = "Addresses",
    jsonPath = ".status.addresses[*].value",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.readyReplicas",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Programmed",
    jsonPath = ".status.conditions[?(@.type==\"Programmed\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class SipGatewayResource extends CustomResource<SipGateway.Spec, SipGatewayStatus>
    implements Namespaced {
  public static final String GROUP = "sbc.io";
  public static final String VERSION = "v1alpha1";

  @Override
  protected SipGateway.Spec initSpec() {
    return new SipGateway.Spec();
  }
}

package io.sbc.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.SchemaSwap;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import io.sbc.api.SipDispatcher;
import io.sbc.api.status.SipDispatcherStatus;

/** The SipDispatcher custom resource: sbc-api's SipDispatcher spec, and its status. */
@Group(SipGatewayResource.GROUP)
@Version(SipGatewayResource.VERSION)
@Kind(SipDispatcher.KIND)
@Plural("sipdispatchers")
@Singular("sipdispatcher")
@ShortNames("sdsp")
@AdditionalPrinterColumn(
    name = "Algorithm",
    jsonPath = ".spec.algorithm",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Destinations",
    jsonPath = ".status.destinations",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
// A Service port is a number or a name (sbc-api's IntOrName): int-or-string in the schema.
@SchemaSwap(
    originalType = SipDispatcher.ServiceRef.class,
    fieldName = "port",
    targetType = IntOrString.class)
public class SipDispatcherResource extends CustomResource<SipDispatcher.Spec, SipDispatcherStatus>
    implements Namespaced {

  @Override
  protected SipDispatcher.Spec initSpec() {
    return new SipDispatcher.Spec();
  }
}

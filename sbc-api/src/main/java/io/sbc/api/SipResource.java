package io.sbc.api;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** A document of the model: apiVersion, kind and metadata, then a kind-specific spec. */
@JsonTypeInfo(
    use = JsonTypeInfo.Id.NAME,
    include = JsonTypeInfo.As.EXISTING_PROPERTY,
    property = "kind",
    visible = true)
@JsonSubTypes({
  @JsonSubTypes.Type(value = SipGateway.class, name = SipGateway.KIND),
  @JsonSubTypes.Type(value = SipRoute.class, name = SipRoute.KIND),
  @JsonSubTypes.Type(value = SipDispatcher.class, name = SipDispatcher.KIND)
})
public abstract class SipResource {
  public static final String API_VERSION = "sbc.io/v1alpha1";

  public String apiVersion;
  public String kind;
  public ObjectMeta metadata = new ObjectMeta();

  /** "Kind/name", as messages name a document. */
  public String id() {
    return kind + "/" + (metadata == null ? null : metadata.name);
  }
}

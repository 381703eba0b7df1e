package io.sbc.api.status;

/** The condition types and reasons the operator writes, named as Gateway API names them. */
public final class Conditions {
  private Conditions() {}

  // types
  public static final String ACCEPTED = "Accepted";
  public static final String RESOLVED_REFS = "ResolvedRefs";
  public static final String PROGRAMMED = "Programmed";
  public static final String READY = "Ready";
  public static final String PARTIALLY_INVALID = "PartiallyInvalid";

  // reasons
  public static final String REASON_ACCEPTED = "Accepted";
  public static final String REASON_INVALID = "Invalid";
  public static final String REASON_RESOLVED_REFS = "ResolvedRefs";
  public static final String REASON_PROGRAMMED = "Programmed";
  public static final String REASON_PENDING = "Pending";
  public static final String REASON_ADDRESS_NOT_ASSIGNED = "AddressNotAssigned";
  public static final String REASON_NO_MATCHING_PARENT = "NoMatchingParent";
  public static final String REASON_BACKEND_NOT_FOUND = "BackendNotFound";
  public static final String REASON_INVALID_KIND = "InvalidKind";

  /** Gateway API: a listener's certificateRefs name a Secret that is missing or not a TLS pair. */
  public static final String REASON_INVALID_CERTIFICATE_REF = "InvalidCertificateRef";

  public static final String REASON_UNSUPPORTED_VALUE = "UnsupportedValue";
  public static final String REASON_NO_MATCHING_LISTENER_NAME = "NoMatchingListenerName";
  public static final String REASON_READY = "Ready";
  public static final String REASON_NO_READY_ENDPOINTS = "NoReadyEndpoints";
  public static final String REASON_CONFLICTED = "Conflicted";
  public static final String REASON_NO_RESOURCES = "NoResources";
}

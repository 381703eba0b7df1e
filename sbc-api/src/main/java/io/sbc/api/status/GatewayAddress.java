package io.sbc.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/** An address a gateway is reachable at: type IPAddress or Hostname, and the value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GatewayAddress {
  public static final String IP_ADDRESS = "IPAddress";
  public static final String HOSTNAME = "Hostname";

  public String type;
  public String value;

  public GatewayAddress() {}

  public GatewayAddress(String type, String value) {
    this.type = type;
    this.value = value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GatewayAddress a
        && Objects.equals(type, a.type)
        && Objects.equals(value, a.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, value);
  }

  @Override
  public String toString() {
    return type + ":" + value;
  }
}

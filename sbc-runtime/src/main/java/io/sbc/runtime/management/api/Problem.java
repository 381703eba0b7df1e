package io.sbc.runtime.management.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** An error answer of the API: what is wrong, in one sentence. */
public record Problem(String error) {
  static Response noDatabase() {
    return response(
        Response.Status.SERVICE_UNAVAILABLE,
        "no database is configured (SBC_DATABASE_URL): records and subscribers need one");
  }

  static Response response(Response.Status status, String error) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(new Problem(error))
        .build();
  }
}

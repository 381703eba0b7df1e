package io.sbc.runtime.management.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Lets a call to {@code /sbc/api} through only with {@code Authorization: Bearer TOKEN} (RFC 6750
 * section 2.1): 401 with a {@code WWW-Authenticate: Bearer} challenge without it or with another
 * token, 403 while no token is configured.
 */
public class BearerTokenFilter {
  @Inject ManagementToken token;

  @ServerRequestFilter(preMatching = true)
  public Response check(ContainerRequestContext request) {
    String path = request.getUriInfo().getPath();
    if (!path.startsWith(Paths.API)) {
      return null;
    }
    if (!token.configured()) {
      return Problem.response(
          Response.Status.FORBIDDEN,
          "the management API is closed: no token is configured (SBC_MANAGEMENT_TOKEN or"
              + " SBC_MANAGEMENT_TOKEN_FILE, at least "
              + ManagementToken.MIN_LENGTH
              + " characters)");
    }
    String h = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    String presented =
        h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).strip() : null;
    if (!token.matches(presented)) {
      return Response.status(Response.Status.UNAUTHORIZED)
          .header(
              HttpHeaders.WWW_AUTHENTICATE,
              presented == null
                  ? "Bearer realm=\"sbc\""
                  : "Bearer realm=\"sbc\", error=\"invalid_token\"")
          .type(MediaType.APPLICATION_JSON)
          .entity(new Problem(presented == null ? "a bearer token is required" : "invalid token"))
          .build();
    }
    return null;
  }
}

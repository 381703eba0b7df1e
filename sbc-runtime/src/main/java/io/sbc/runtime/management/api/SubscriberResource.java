package io.sbc.runtime.management.api;

import io.sbc.api.syntax.HostName;
import io.sbc.api.syntax.IpLiteral;
import io.sbc.api.syntax.SipGrammar;
import io.sbc.runtime.persistence.Database;
import io.sbc.runtime.persistence.Subscriber;
import io.sbc.runtime.persistence.Subscribers;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * Subscribers under {@code /sbc/api/subscribers/{domain}/{username}}: {@code PUT} with a password
 * adds or changes one (its HA1 hashes stored), {@code GET} and {@code DELETE}. Hashes are never
 * shown.
 */
@Path(Paths.API + "/subscribers")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = "bearer")
public class SubscriberResource {
  /** Longer passwords are refused (a request body is no place for a novel). */
  static final int MAX_PASSWORD = 256;

  @Inject Database database;
  @Inject Subscribers subscribers;

  /** The body of a PUT. */
  public record Credentials(String password) {
    @Override
    public String toString() {
      return "Credentials[password=***]"; // never in a log
    }
  }

  /** A subscriber as the API shows it: no hash, no password. */
  public record View(String domain, String username, Instant createdAt, Instant updatedAt) {
    static View of(Subscriber s) {
      return new View(s.domain, s.username, s.createdAt, s.updatedAt);
    }
  }

  @GET
  @Operation(summary = "Subscribers, of one domain or of all, by name")
  public Uni<Response> list(
      @QueryParam("domain") String domain, @QueryParam("limit") Integer limit) {
    if (!database.active()) {
      return Uni.createFrom().item(Problem.noDatabase());
    }
    int max = limit == null ? 1000 : limit;
    if (max < 1 || max > 10_000) {
      return bad("limit must be between 1 and 10000");
    }
    return subscribers
        .list(domain == null ? null : domain.toLowerCase(Locale.ROOT), max)
        .map(l -> Response.ok(l.stream().map(View::of).toList()).build());
  }

  @GET
  @Path("/{domain}/{username}")
  @Operation(summary = "One subscriber")
  public Uni<Response> get(@PathParam("domain") String domain, @PathParam("username") String user) {
    Response invalid = check(domain, user);
    if (invalid != null) {
      return Uni.createFrom().item(invalid);
    }
    return subscribers
        .find(domain.toLowerCase(Locale.ROOT), user)
        .map(
            s ->
                s == null
                    ? Problem.response(
                        Response.Status.NOT_FOUND, "no subscriber " + user + "@" + domain)
                    : Response.ok(View.of(s)).build());
  }

  @PUT
  @Path("/{domain}/{username}")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Adds a subscriber or changes its password",
      description =
          "The password is hashed at once (HA1 with MD5 and with SHA-256, realm = domain) and"
              + " never stored. 201 when the subscriber is new, 200 when it was changed.")
  public Uni<Response> put(
      @PathParam("domain") String domain, @PathParam("username") String user, Credentials body) {
    Response invalid = check(domain, user);
    if (invalid != null) {
      return Uni.createFrom().item(invalid);
    }
    if (body == null || body.password() == null || body.password().isEmpty()) {
      return bad("the body must be {\"password\": \"...\"} with a password that is not empty");
    }
    if (body.password().length() > MAX_PASSWORD) {
      return bad("the password must not be longer than " + MAX_PASSWORD + " characters");
    }
    String d = domain.toLowerCase(Locale.ROOT);
    return subscribers
        .put(d, user, body.password())
        .flatMap(
            created ->
                subscribers
                    .find(d, user)
                    .map(s -> Response.status(created ? 201 : 200).entity(View.of(s)).build()));
  }

  @DELETE
  @Path("/{domain}/{username}")
  @Operation(summary = "Removes a subscriber (204, or 404 when there was none)")
  public Uni<Response> delete(
      @PathParam("domain") String domain, @PathParam("username") String user) {
    Response invalid = check(domain, user);
    if (invalid != null) {
      return Uni.createFrom().item(invalid);
    }
    return subscribers
        .remove(domain.toLowerCase(Locale.ROOT), user)
        .map(
            removed ->
                removed
                    ? Response.noContent().build()
                    : Problem.response(
                        Response.Status.NOT_FOUND, "no subscriber " + user + "@" + domain));
  }

  /** The problem with a domain and user name, or null when both are valid. */
  private Response check(String domain, String user) {
    if (!database.active()) {
      return Problem.noDatabase();
    }
    if (!(HostName.isValid(domain) || IpLiteral.isIpLiteral(domain))) {
      return Problem.response(
          Response.Status.BAD_REQUEST, "domain must be a host name or an IP address");
    }
    if (user.length() > 128 || !SipGrammar.isUser(user)) {
      return Problem.response(
          Response.Status.BAD_REQUEST,
          "username must be a SIP user part (RFC 3261 section 25.1), at most 128 characters");
    }
    return null;
  }

  private static Uni<Response> bad(String why) {
    return Uni.createFrom().item(Problem.response(Response.Status.BAD_REQUEST, why));
  }
}

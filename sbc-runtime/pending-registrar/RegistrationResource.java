package io.sbc.runtime.management.api;

import io.sbc.runtime.SbcStack;
import io.sbc.runtime.management.RunningGateway;
import io.sbc.runtime.registrar.Binding;
import io.sbc.runtime.registrar.BindingChange;
import io.sbc.runtime.registrar.LocationStore;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * Registrations under {@code /sbc/api/registrations}: list them, look up an address-of-record,
 * remove its bindings (all, or one contact) — kamctl's {@code ul show} and {@code ul rm}. Read
 * from the registrar's location store: with a database, every replica's registrations.
 */
@Path(Paths.API + "/registrations")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = "bearer")
public class RegistrationResource {
  @Inject RunningGateway gateway;

  /** One binding as the API shows it. */
  public record View(
      String aor,
      String contact,
      String instance,
      int regId,
      double q,
      int expires,
      Instant expiresAt,
      List<String> path,
      String received,
      String transport,
      String node,
      String userAgent,
      Instant registeredAt) {
    static View of(Binding b, long now) {
      return new View(
          b.aor(),
          b.contact(),
          b.instance(),
          b.regId(),
          b.q() / 1000.0,
          b.remainingSeconds(now),
          Instant.ofEpochMilli(b.expiresAt()),
          b.path(),
          b.receivedAddress() == null
              ? null
              : (b.receivedAddress().indexOf(':') >= 0
                      ? "[" + b.receivedAddress() + "]"
                      : b.receivedAddress())
                  + ":"
                  + b.receivedPort(),
          b.transport(),
          b.node(),
          b.userAgent(),
          Instant.ofEpochMilli(b.registeredAt()));
    }
  }

  @GET
  @Operation(
      summary = "Registered bindings, by address-of-record",
      description = "One page: those of addresses-of-record after 'after', at most 'limit'.")
  public Uni<Response> list(@QueryParam("after") String after, @QueryParam("limit") Integer limit) {
    LocationStore store = store();
    if (store == null) {
      return Uni.createFrom().item(noRegistrar());
    }
    int max = limit == null ? 1000 : limit;
    if (max < 1 || max > 10_000) {
      return Uni.createFrom()
          .item(Problem.response(Response.Status.BAD_REQUEST, "limit must be between 1 and 10000"));
    }
    return Uni.createFrom()
        .<List<Binding>>emitter(
            e ->
                store.list(
                    after == null ? null : normalize(after),
                    max,
                    null,
                    (r, f) -> {
                      if (f != null) {
                        e.fail(f);
                      } else {
                        e.complete(r);
                      }
                    }))
        .map(l -> Response.ok(views(l)).build());
  }

  @GET
  @Path("/{aor}")
  @Operation(summary = "The bindings of one address-of-record (sip:user@domain or user@domain)")
  public Uni<Response> lookup(@PathParam("aor") String aor) {
    LocationStore store = store();
    if (store == null) {
      return Uni.createFrom().item(noRegistrar());
    }
    String key = normalize(aor);
    return Uni.createFrom()
        .<List<Binding>>emitter(
            e ->
                store.lookup(
                    key,
                    null,
                    (r, f) -> {
                      if (f != null) {
                        e.fail(f);
                      } else {
                        e.complete(r);
                      }
                    }))
        .map(
            l ->
                l.isEmpty()
                    ? Problem.response(Response.Status.NOT_FOUND, "no binding for " + key)
                    : Response.ok(views(l)).build());
  }

  @DELETE
  @Path("/{aor}")
  @Operation(
      summary = "Removes the bindings of an address-of-record (all, or the one of 'contact')",
      description = "204 when something was removed, 404 when there was nothing to remove.")
  public Uni<Response> delete(@PathParam("aor") String aor, @QueryParam("contact") String contact) {
    LocationStore store = store();
    if (store == null) {
      return Uni.createFrom().item(noRegistrar());
    }
    String key = normalize(aor);
    int[] removed = new int[1];
    BindingChange change =
        (current, now) -> {
          List<Binding> keep = new ArrayList<>(current.size());
          for (Binding b : current) {
            if (contact != null && !contact.equals(b.contact())) {
              keep.add(b);
            }
          }
          removed[0] = current.size() - keep.size();
          return BindingChange.Result.applied(keep);
        };
    return Uni.createFrom()
        .<BindingChange.Result>emitter(
            e ->
                store.update(
                    key,
                    change,
                    null,
                    (r, f) -> {
                      if (f != null) {
                        e.fail(f);
                      } else {
                        e.complete(r);
                      }
                    }))
        .map(
            r ->
                !r.isApplied()
                    ? Problem.response(
                        Response.Status.SERVICE_UNAVAILABLE, "not removed: " + r.reason())
                    : removed[0] == 0
                        ? Problem.response(Response.Status.NOT_FOUND, "no binding for " + key)
                        : Response.noContent().build());
  }

  private LocationStore store() {
    SbcStack s = gateway.stack();
    return s == null ? null : s.locations();
  }

  private static Response noRegistrar() {
    return Problem.response(
        Response.Status.NOT_FOUND, "this gateway has no registrar (spec.registrar)");
  }

  private static List<View> views(List<Binding> l) {
    long now = System.currentTimeMillis();
    List<View> v = new ArrayList<>(l.size());
    for (Binding b : l) {
      v.add(View.of(b, now));
    }
    return v;
  }

  /** sip:user@domain with the domain in lower case, from that form or user@domain. */
  static String normalize(String aor) {
    String a = aor.strip();
    if (!a.regionMatches(true, 0, "sip:", 0, 4)) {
      a = "sip:" + a;
    } else {
      a = "sip:" + a.substring(4);
    }
    int at = a.lastIndexOf('@');
    return at < 0 ? a.toLowerCase(Locale.ROOT) : a.substring(0, at + 1) + a.substring(at + 1).toLowerCase(Locale.ROOT);
  }
}

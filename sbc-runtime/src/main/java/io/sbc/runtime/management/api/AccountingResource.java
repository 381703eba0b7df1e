package io.sbc.runtime.management.api;

import io.sbc.runtime.persistence.AccountingRecord;
import io.sbc.runtime.persistence.Database;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.hibernate.reactive.mutiny.Mutiny;

/** {@code GET /sbc/api/accounting}: the calls' accounting records, newest first. */
@Path(Paths.API + "/accounting")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = "bearer")
public class AccountingResource {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  @Inject Database database;

  /** One record as the API shows it. */
  public record Call(
      String id,
      String gateway,
      String replica,
      String callId,
      Instant startedAt,
      Instant answeredAt,
      Instant endedAt,
      long durationMs,
      int status,
      String endReason,
      String caller,
      String callee,
      String source,
      String route,
      String destination,
      Long rtpPackets,
      Long rtpBytes) {
    static Call of(AccountingRecord r) {
      return new Call(
          r.id.toString(),
          r.gateway,
          r.replica,
          r.callId,
          r.startedAt,
          r.answeredAt,
          r.endedAt,
          r.durationMs,
          r.status,
          r.endReason,
          r.caller,
          r.callee,
          r.source,
          r.route,
          r.destination,
          r.rtpPackets,
          r.rtpBytes);
    }
  }

  @GET
  @Operation(
      summary = "Accounting records of calls started in a time range, newest first",
      description =
          "caller and callee match user@host exactly, or the user part alone when given without"
              + " '@'.")
  public Uni<Response> query(
      @Parameter(
              description = "calls started at or after this instant (ISO-8601), default: a day ago")
          @QueryParam("from")
          String from,
      @Parameter(description = "calls started before this instant (ISO-8601), default: now")
          @QueryParam("to")
          String to,
      @QueryParam("caller") String caller,
      @QueryParam("callee") String callee,
      @Parameter(description = "at most this many records (default 100, at most 1000)")
          @QueryParam("limit")
          Integer limit) {
    if (!database.active()) {
      return Uni.createFrom().item(Problem.noDatabase());
    }
    Instant end;
    Instant start;
    try {
      end = to == null ? Instant.now() : Instant.parse(to);
      start = from == null ? end.minusSeconds(86_400) : Instant.parse(from);
    } catch (DateTimeParseException e) {
      return Uni.createFrom()
          .item(
              Problem.response(
                  Response.Status.BAD_REQUEST,
                  "from and to must be ISO-8601 instants such as 2026-12-02T18:00:00Z"));
    }
    int max = limit == null ? DEFAULT_LIMIT : limit;
    if (max < 1 || max > MAX_LIMIT) {
      return Uni.createFrom()
          .item(
              Problem.response(
                  Response.Status.BAD_REQUEST, "limit must be between 1 and " + MAX_LIMIT));
    }
    StringBuilder hql =
        new StringBuilder(
            "from AccountingRecord r where r.startedAt >= :from and r.startedAt < :to");
    if (caller != null) {
      hql.append(
          caller.indexOf('@') >= 0
              ? " and r.caller = :caller"
              : " and r.caller like :caller escape '!'");
    }
    if (callee != null) {
      hql.append(
          callee.indexOf('@') >= 0
              ? " and r.callee = :callee"
              : " and r.callee like :callee escape '!'");
    }
    hql.append(" order by r.startedAt desc");
    return database
        .sessions()
        .withSession(
            s -> {
              Mutiny.SelectionQuery<AccountingRecord> q =
                  s.createSelectionQuery(hql.toString(), AccountingRecord.class)
                      .setParameter("from", start)
                      .setParameter("to", end)
                      .setMaxResults(max);
              if (caller != null) {
                q.setParameter("caller", pattern(caller));
              }
              if (callee != null) {
                q.setParameter("callee", pattern(callee));
              }
              return q.getResultList();
            })
        .map(List::stream)
        .map(st -> Response.ok(st.map(Call::of).toList()).build());
  }

  /** user@host as is; a user alone matches its user part (LIKE's wildcards escaped). */
  static String pattern(String v) {
    if (v.indexOf('@') >= 0) {
      return v;
    }
    StringBuilder b = new StringBuilder(v.length() + 2);
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '%' || c == '_' || c == '!') {
        b.append('!');
      }
      b.append(c);
    }
    return b.append("@%").toString();
  }
}

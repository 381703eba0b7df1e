package io.sbc.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The SBC's management HTTP server as an operator uses it: {@code /sbc/status} (JSON) and {@code
 * /q/metrics} (Prometheus text). The tests check what these say rather than what the log says.
 */
final class Management {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  Management(String host, int port) {
    this.base = URI.create("http://" + host + ":" + port);
  }

  /**
   * What a Prometheus server (2.x) accepts when it scrapes: OpenMetrics first, then the text
   * format; the test reads what Prometheus would get.
   */
  static final String PROMETHEUS_ACCEPT =
      "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
          + "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

  /** GET of a path; the body of a 200 answer, else an AssertionError naming the status. */
  String get(String path) throws IOException, InterruptedException {
    return get(path, "*/*");
  }

  String get(String path, String accept) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base.resolve(path))
                .header("Accept", accept)
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + base.resolve(path) + ": " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  /** {@code /sbc/status}. */
  JsonNode status() throws IOException, InterruptedException {
    return JSON.readTree(get("/sbc/status"));
  }

  /** {@code /q/metrics} as Prometheus scrapes it, parsed. */
  Scrape metrics() throws IOException, InterruptedException {
    return Scrape.parse(get("/q/metrics", PROMETHEUS_ACCEPT));
  }

  /** Polls {@code /sbc/status} until it satisfies the condition; the status that did, if any. */
  Optional<JsonNode> awaitStatus(Predicate<JsonNode> condition, Duration timeout)
      throws IOException, InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    do {
      JsonNode s = status();
      if (condition.test(s)) {
        return Optional.of(s);
      }
      Thread.sleep(50);
    } while (System.nanoTime() < end);
    return Optional.empty();
  }

  /** Polls {@code /q/metrics} until it satisfies the condition; the scrape that did, if any. */
  Optional<Scrape> awaitMetrics(Predicate<Scrape> condition, Duration timeout)
      throws IOException, InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    do {
      Scrape s = metrics();
      if (condition.test(s)) {
        return Optional.of(s);
      }
      Thread.sleep(100);
    } while (System.nanoTime() < end);
    return Optional.empty();
  }

  /** The counts of reloads in a status: {@code reloads.applied}, {@code reloads.refused}. */
  static long reloads(JsonNode status, String which) {
    return status.path("reloads").path(which).asLong(-1);
  }

  /** One dispatcher's entry of a status (a missing node when there is none). */
  static JsonNode dispatcher(JsonNode status, String name) {
    for (JsonNode d : status.path("dispatchers")) {
      if (name.equals(d.path("name").asText())) {
        return d;
      }
    }
    return status.path("no dispatcher " + name);
  }

  /** One destination of a dispatcher in a status (a missing node when there is none). */
  static JsonNode destination(JsonNode status, String dispatcher, String uri) {
    for (JsonNode d : dispatcher(status, dispatcher).path("destinations")) {
      if (uri.equals(d.path("uri").asText())) {
        return d;
      }
    }
    return status.path("no destination " + uri);
  }

  /** http://host:port, for requests the methods above do not make. */
  URI base() {
    return base;
  }

  @Override
  public String toString() {
    return "management " + base;
  }
}

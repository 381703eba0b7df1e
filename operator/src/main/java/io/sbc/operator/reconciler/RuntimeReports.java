package io.sbc.operator.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.sbc.api.ConfigIdentity;
import io.sbc.operator.model.StatusModel;
import io.sbc.operator.model.WorkloadModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Asks a gateway's ready pods which configuration they run, over the runtime's management API
 * ({@link ConfigIdentity#STATUS_PATH}), all at once with a short timeout.
 *
 * <p>Why the management API and not a pod annotation or condition written by the runtime: that
 * would take {@code patch} on pods (or pods/status) for every SBC pod, and a pod that may patch
 * pods may relabel any pod of its namespace into another Service. Reading costs the operator only
 * list/watch of pods (read-only) and a network path to the management port, which metrics scraping
 * needs anyway; the SBC pods gain no permission.
 */
final class RuntimeReports {
  private RuntimeReports() {}

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  /** How long one reconciliation waits for every answer. */
  static final Duration TIMEOUT = Duration.ofSeconds(2);

  /** Whether a pod counts: Ready, not terminating, with an IP. */
  static boolean serving(Pod p) {
    if (p.getMetadata().getDeletionTimestamp() != null
        || p.getStatus() == null
        || p.getStatus().getPodIP() == null
        || p.getStatus().getConditions() == null) {
      return false;
    }
    for (PodCondition c : p.getStatus().getConditions()) {
      if ("Ready".equals(c.getType())) {
        return "True".equals(c.getStatus());
      }
    }
    return false;
  }

  /** The configuration each pod reports (in the order given), or why it could not be read. */
  static List<StatusModel.PodConfig> ask(List<Pod> pods) {
    List<CompletableFuture<StatusModel.PodConfig>> asks = new ArrayList<>();
    for (Pod p : pods) {
      asks.add(ask(p));
    }
    List<StatusModel.PodConfig> out = new ArrayList<>();
    for (int i = 0; i < asks.size(); i++) {
      String name = pods.get(i).getMetadata().getName();
      try {
        out.add(asks.get(i).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
      } catch (java.util.concurrent.TimeoutException e) {
        asks.get(i).cancel(true);
        out.add(
            new StatusModel.PodConfig(
                name, null, "no answer within " + TIMEOUT.toMillis() + " ms"));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        out.add(new StatusModel.PodConfig(name, null, "interrupted"));
      } catch (java.util.concurrent.ExecutionException e) {
        out.add(new StatusModel.PodConfig(name, null, String.valueOf(e.getCause())));
      }
    }
    return out;
  }

  private static CompletableFuture<StatusModel.PodConfig> ask(Pod p) {
    String name = p.getMetadata().getName();
    String ip = p.getStatus().getPodIP();
    URI uri =
        URI.create(
            "http://"
                + (ip.contains(":") ? "[" + ip + "]" : ip)
                + ":"
                + managementPort(p)
                + ConfigIdentity.STATUS_PATH);
    HttpRequest req = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build();
    return HTTP.sendAsync(req, HttpResponse.BodyHandlers.ofString())
        .handle(
            (r, t) -> {
              if (t != null) {
                Throwable c = t.getCause() != null ? t.getCause() : t;
                return new StatusModel.PodConfig(
                    name, null, "management API " + uri + " did not answer (" + c + ")");
              }
              if (r.statusCode() != 200) {
                return new StatusModel.PodConfig(
                    name, null, "management API " + uri + " answered " + r.statusCode());
              }
              try {
                JsonNode sha =
                    Serialization.jsonMapper()
                        .readTree(r.body())
                        .path(ConfigIdentity.STATUS_FIELD)
                        .path(ConfigIdentity.SHA256_FIELD);
                return sha.isTextual()
                    ? new StatusModel.PodConfig(name, sha.asText(), null)
                    : new StatusModel.PodConfig(
                        name, null, "management API " + uri + " reports no configuration hash");
              } catch (java.io.IOException e) {
                return new StatusModel.PodConfig(
                    name, null, "management API " + uri + " answered no JSON");
              }
            });
  }

  /** The SBC container's port named management, else the default. */
  static int managementPort(Pod p) {
    if (p.getSpec() != null && p.getSpec().getContainers() != null) {
      for (Container c : p.getSpec().getContainers()) {
        if (WorkloadModel.CONTAINER.equals(c.getName()) && c.getPorts() != null) {
          for (ContainerPort port : c.getPorts()) {
            if (WorkloadModel.MANAGEMENT_PORT_NAME.equals(port.getName())) {
              return port.getContainerPort();
            }
          }
        }
      }
    }
    return WorkloadModel.MANAGEMENT_PORT;
  }
}

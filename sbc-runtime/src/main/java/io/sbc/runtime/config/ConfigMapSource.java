package io.sbc.runtime.config;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sbc.api.CallLimitShare;
import io.sbc.api.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The configuration of a runtime in a cluster: key {@value #KEY} of one ConfigMap (written by the
 * operator: the SipGateway, its SipRoutes and SipDispatchers, in the format of a configuration
 * file), read through the Kubernetes API at start, then watched. Every valid new version is handed
 * to the running gateway; an invalid one is refused with its errors and the running configuration
 * keeps serving, as {@link ConfigWatcher} does for a file.
 *
 * <p>The watch is a fabric8 informer on that one ConfigMap (a field selector by name): it lists,
 * watches and re-lists after disconnections by itself. Its callbacks run on the client's threads,
 * never on an event loop; parsing and compiling happen there.
 */
public final class ConfigMapSource implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ConfigMapSource.class);

  /** The key of the ConfigMap that holds the configuration. */
  public static final String KEY = "config.yaml";

  /** The environment variable naming the ConfigMap; set, it replaces {@code --config FILE}. */
  public static final String ENV_NAME = "SBC_CONFIGMAP_NAME";

  /** The environment variable naming its namespace (else the pod's, else "default"). */
  public static final String ENV_NAMESPACE = "SBC_CONFIGMAP_NAMESPACE";

  /** Where Kubernetes mounts the namespace of the pod's service account. */
  public static final Path POD_NAMESPACE_FILE =
      Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final String gateway;
  private final String source;
  private volatile SharedIndexInformer<ConfigMap> informer;
  private volatile boolean closed;

  /** The text of the configuration running now (null before the first load). */
  private String current;

  /** The SHA-256 of the text last applied (null before the first load): management reports it. */
  private volatile String appliedSha256;

  /**
   * @param gateway the SipGateway to serve (null: the only one)
   */
  public ConfigMapSource(KubernetesClient client, String namespace, String name, String gateway) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.gateway = gateway;
    this.source = "configmap " + namespace + "/" + name;
  }

  /**
   * The namespace of the ConfigMap: {@value #ENV_NAMESPACE}, else the pod's namespace file, else
   * "default".
   */
  public static String namespace(Map<String, String> env, Path podNamespaceFile) {
    String ns = env.get(ENV_NAMESPACE);
    if (ns != null && !ns.isBlank()) {
      return ns.strip();
    }
    try {
      String pod = Files.readString(podNamespaceFile, StandardCharsets.UTF_8).strip();
      if (!pod.isEmpty()) {
        return pod;
      }
    } catch (IOException | SecurityException e) {
      // not in a pod (or no service account token mounted)
    }
    return "default";
  }

  /**
   * The SHA-256 of the configuration text running now ({@link io.sbc.api.ConfigIdentity}): a
   * refused change leaves it as it was, so the operator can tell which replicas run what it wrote.
   */
  public String appliedSha256() {
    return appliedSha256;
  }

  /** "configmap NAMESPACE/NAME": how messages name this source. */
  public String source() {
    return source;
  }

  /**
   * Reads and compiles the configuration, waiting (with backoff) for the ConfigMap to exist and the
   * API server to answer.
   *
   * @throws ConfigException when the configuration is invalid, the key is missing, or the ConfigMap
   *     could not be read within {@code wait}; the errors name the ConfigMap
   */
  public synchronized GatewayConfig load(Duration wait) throws ConfigException {
    long deadline = System.nanoTime() + wait.toNanos();
    long backoff = 250;
    String problem;
    while (true) {
      ConfigMap cm = null;
      try {
        cm = client.configMaps().inNamespace(namespace).withName(name).get();
        problem = "not found";
      } catch (KubernetesClientException e) {
        problem = "cannot read: " + describe(e);
      }
      if (cm != null) {
        String text;
        try {
          text = textOf(cm);
        } catch (ConfigException e) {
          throw new ConfigException(e.errors().stream().map(x -> source + ": " + x).toList());
        }
        if (text == null) {
          throw new ConfigException(
              List.of(
                  source
                      + ": no key "
                      + KEY
                      + " (nor "
                      + io.sbc.api.ConfigMapPayload.GZIP_KEY
                      + " in binaryData)"));
        }
        GatewayConfig cfg = GatewayConfig.load(source, text, gateway).withShare(share(cm));
        current = text + shareText(cm);
        appliedSha256 = io.sbc.api.ConfigIdentity.sha256(text);
        return cfg;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new ConfigException(
            List.of(source + ": " + problem + " (waited " + wait.toSeconds() + " s)"));
      }
      LOG.infof("%s: %s; retrying", source, problem);
      try {
        Thread.sleep(Math.min(backoff, Math.max(1, left / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ConfigException(List.of(source + ": interrupted while waiting"));
      }
      backoff = Math.min(backoff * 2, 4000);
    }
  }

  /**
   * Watches the ConfigMap from now on (after {@link #load}): each valid change of {@value #KEY} is
   * passed to {@code apply} on a client thread; invalid ones are refused and logged.
   */
  public void watch(ConfigApplier apply) {
    SharedIndexInformer<ConfigMap> inf =
        client.configMaps().inNamespace(namespace).withName(name).runnableInformer(0);
    inf.exceptionHandler(
        (started, t) -> {
          if (!closed) {
            LOG.warnf("%s: watch interrupted (%s); reconnecting", source, describe(t));
          }
          return !closed;
        });
    inf.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(ConfigMap cm) {
            changed(cm, apply);
          }

          @Override
          public void onUpdate(ConfigMap before, ConfigMap cm) {
            changed(cm, apply);
          }

          @Override
          public void onDelete(ConfigMap cm, boolean finalStateUnknown) {
            LOG.warnf(
                "%s deleted; the running configuration stays until it is created again", source);
          }
        });
    informer = inf;
    inf.start()
        .whenComplete(
            (v, t) -> {
              if (t != null && !closed) {
                LOG.errorf("%s: cannot watch (%s); changes are not seen", source, describe(t));
              }
            });
    inf.stopped()
        .whenComplete(
            (v, t) -> {
              if (!closed) {
                LOG.errorf(
                    "%s: watch stopped (%s); changes are not seen",
                    source, t == null ? "no reason given" : describe(t));
              }
            });
  }

  /**
   * Loads the current text again and applies it even though it did not change (a secret file it
   * names did). Nothing happens before the first version was seen.
   */
  public synchronized void reapply(ConfigApplier apply) {
    String text = current;
    if (text == null || closed) {
      return;
    }
    current = null;
    ConfigMap cm = new ConfigMap();
    cm.setData(Map.of(KEY, text));
    changed(cm, apply);
  }

  /** A new version of the ConfigMap: applied when its configuration text changed and is valid. */
  synchronized void changed(ConfigMap cm, ConfigApplier apply) {
    if (closed) {
      return;
    }
    String text;
    try {
      text = textOf(cm);
    } catch (ConfigException e) {
      List<String> errors = e.errors().stream().map(x -> source + ": " + x).toList();
      LOG.errorf(
          "configuration %s changed but is refused; the running configuration stays:%n  %s",
          source, String.join("\n  ", errors));
      current = null;
      apply.refused(errors);
      return;
    }
    if (text == null) {
      if (current != null) {
        LOG.errorf(
            "configuration %s changed but is refused; the running configuration stays:%n  %s: no"
                + " key %s",
            source, source, KEY);
        current = null; // the key coming back with the same text is a change again
        apply.refused(List.of(source + ": no key " + KEY));
      }
      return;
    }
    if ((text + shareText(cm)).equals(current)) {
      return; // metadata, another key, a resync or a re-list: nothing to do
    }
    current = text + shareText(cm);
    GatewayConfig next;
    try {
      next = GatewayConfig.load(source, text, gateway).withShare(share(cm));
    } catch (ConfigException e) {
      LOG.errorf(
          "configuration %s changed but is refused; the running configuration stays:%n  %s",
          source, String.join("\n  ", e.errors()));
      apply.refused(e.errors());
      return;
    }
    try {
      apply.apply(next);
      appliedSha256 = io.sbc.api.ConfigIdentity.sha256(text);
      LOG.infof("configuration %s reloaded", source);
    } catch (ConfigException e) {
      LOG.errorf(
          "configuration %s changed but is refused; the running configuration stays:%n  %s",
          source, String.join("\n  ", e.errors()));
      apply.refused(e.errors());
    } catch (RuntimeException e) {
      LOG.errorf(
          e, "configuration %s could not be applied; the running configuration stays", source);
      apply.refused(List.of(source + ": could not be applied: " + e));
    }
  }

  /**
   * This replica's share of the gateway's call limits, which the operator writes beside the
   * configuration (and rewrites when the replicas change), or null: the whole limit.
   */
  private CallLimitShare share(ConfigMap cm) throws ConfigException {
    String t = cm.getData() == null ? null : cm.getData().get(CallLimitShare.KEY);
    return t == null ? null : CallLimitShare.parse(source, t);
  }

  private static String shareText(ConfigMap cm) {
    String t = cm.getData() == null ? null : cm.getData().get(CallLimitShare.KEY);
    return t == null ? "" : "\n# " + CallLimitShare.KEY + ": " + t;
  }

  /** The configuration the ConfigMap holds, plain or compressed (the operator's two forms). */
  private static String textOf(ConfigMap cm) throws ConfigException {
    return io.sbc.api.ConfigMapPayload.read(cm.getData(), cm.getBinaryData());
  }

  /** The HTTP status and message of an API error, or the root cause of a connection failure. */
  private static String describe(Throwable t) {
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof KubernetesClientException k && k.getCode() > 0) {
      return "HTTP " + k.getCode() + ": " + k.getMessage();
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return root == t ? why : why + " (" + t.getMessage() + ")";
  }

  @Override
  public void close() {
    closed = true;
    SharedIndexInformer<ConfigMap> inf = informer;
    if (inf != null) {
      inf.close();
    }
  }
}

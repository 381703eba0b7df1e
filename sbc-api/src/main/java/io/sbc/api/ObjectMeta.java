package io.sbc.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** Kubernetes-style metadata of a document: its name, namespace and labels. */
public class ObjectMeta {
  public String name;
  public String namespace;
  public Map<String, String> labels = new LinkedHashMap<>();
}

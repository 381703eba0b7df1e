package io.sbc.systemtest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scrape of {@code /q/metrics} in the Prometheus text format (0.0.4) or OpenMetrics: its
 * samples, each with the metric family it belongs to and the type that family declares, as
 * Prometheus itself would read them. (A counter's family is {@code NAME_total} in the text format
 * and {@code NAME} in OpenMetrics; its sample is {@code NAME_total} in both.)
 */
final class Scrape {
  /** One sample: a metric name, its labels, its value, and the family it belongs to. */
  record Sample(String name, Map<String, String> labels, double value, String family) {}

  private final String text;
  private final List<Sample> samples;
  private final Map<String, String> types;

  private Scrape(String text, List<Sample> samples, Map<String, String> types) {
    this.text = text;
    this.samples = samples;
    this.types = types;
  }

  static Scrape parse(String text) {
    List<Sample> samples = new ArrayList<>();
    Map<String, String> types = new LinkedHashMap<>();
    String family = "";
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        String[] f = line.substring(7).trim().split("\\s+");
        types.put(f[0], f[1]);
        family = f[0];
        continue;
      }
      if (line.startsWith("#")) {
        continue;
      }
      samples.add(sample(line, family));
    }
    return new Scrape(text, List.copyOf(samples), types);
  }

  /** {@code name{key="value",...} value [timestamp]}; label values may escape \\, \" and \n. */
  private static Sample sample(String line, String family) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (true) {
        while (line.charAt(i) == ',' || line.charAt(i) == ' ') {
          i++;
        }
        if (line.charAt(i) == '}') {
          i++;
          break;
        }
        int eq = line.indexOf('=', i);
        String key = line.substring(i, eq).trim();
        i = eq + 1;
        if (line.charAt(i) != '"') {
          throw new IllegalArgumentException("label value not quoted: " + line);
        }
        i++;
        StringBuilder v = new StringBuilder();
        while (line.charAt(i) != '"') {
          char c = line.charAt(i++);
          if (c == '\\') {
            char e = line.charAt(i++);
            v.append(e == 'n' ? '\n' : e);
          } else {
            v.append(c);
          }
        }
        i++;
        labels.put(key, v.toString());
      }
    }
    String[] rest = line.substring(i).trim().split("\\s+");
    boolean ofFamily = name.equals(family) || name.startsWith(family + "_");
    return new Sample(name, Map.copyOf(labels), number(rest[0]), ofFamily ? family : name);
  }

  private static double number(String s) {
    return switch (s) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }

  /** Every sample, in the order of the scrape. */
  List<Sample> samples() {
    return samples;
  }

  /** The declared type of the family a sample of this name belongs to; null when none. */
  String type(String sampleName) {
    for (Sample s : samples) {
      if (s.name().equals(sampleName)) {
        return types.get(s.family());
      }
    }
    return null;
  }

  /** The samples of this name whose labels include the given ones (key, value, key, value...). */
  List<Sample> samples(String name, String... labels) {
    List<Sample> out = new ArrayList<>();
    for (Sample s : samples) {
      if (!s.name().equals(name)) {
        continue;
      }
      boolean all = true;
      for (int k = 0; k + 1 < labels.length; k += 2) {
        all &= labels[k + 1].equals(s.labels().get(labels[k]));
      }
      if (all) {
        out.add(s);
      }
    }
    return out;
  }

  boolean has(String name, String... labels) {
    return !samples(name, labels).isEmpty();
  }

  /** The value of the one sample of this name with these labels; fails when there is not one. */
  double value(String name, String... labels) {
    List<Sample> s = samples(name, labels);
    if (s.size() != 1) {
      throw new AssertionError(
          s.size() + " samples of " + name + " " + List.of(labels) + " (one expected) in:\n"
              + lines(name));
    }
    return s.get(0).value();
  }

  /** The lines of the scrape about this metric (for failure messages). */
  String lines(String name) {
    return text.lines().filter(l -> l.contains(name)).reduce("", (a, b) -> a + b + "\n");
  }

  String text() {
    return text;
  }
}

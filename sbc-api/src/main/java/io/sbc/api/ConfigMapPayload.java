package io.sbc.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * How a configuration travels in a Kubernetes ConfigMap, written by the operator and read by the
 * runtime: as text under {@value #KEY}, or, past {@value #PLAIN_LIMIT} bytes, gzip-compressed under
 * {@value #GZIP_KEY} in binaryData. A ConfigMap holds at most 1 MiB; {@link #fits} says whether a
 * configuration fits at all.
 */
public final class ConfigMapPayload {
  private ConfigMapPayload() {}

  public static final String KEY = "config.yaml";
  public static final String GZIP_KEY = "config.yaml.gz";

  /** Up to this many bytes the text is stored as it is (readable with kubectl). */
  public static final int PLAIN_LIMIT = 512 * 1024;

  /** What the stored form may take: a ConfigMap's 1 MiB less room for its metadata. */
  public static final int STORED_LIMIT = 1000 * 1024;

  /** A compressed configuration larger than this once expanded is refused (a zip bomb). */
  public static final int MAX_EXPANDED_BYTES = 64 * 1024 * 1024;

  /** Whether the configuration is stored compressed. */
  public static boolean compressed(String yaml) {
    return yaml.getBytes(StandardCharsets.UTF_8).length > PLAIN_LIMIT;
  }

  /** The gzip of the configuration, base64 as binaryData carries it. */
  public static String gzipBase64(String yaml) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(yaml.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e); // in memory: cannot happen
    }
    return Base64.getEncoder().encodeToString(out.toByteArray());
  }

  /** Whether the configuration fits a ConfigMap in the form it would be stored in. */
  public static boolean fits(String yaml) {
    int stored =
        compressed(yaml) ? gzipBase64(yaml).length() : yaml.getBytes(StandardCharsets.UTF_8).length;
    return stored <= STORED_LIMIT;
  }

  /**
   * The configuration text of a ConfigMap's data and binaryData (base64 values, as the API gives
   * them), or null when it holds neither key.
   *
   * @throws ConfigException when the compressed form is not gzip or expands past {@link
   *     #MAX_EXPANDED_BYTES}
   */
  public static String read(Map<String, String> data, Map<String, String> binaryData)
      throws ConfigException {
    if (data != null && data.get(KEY) != null) {
      return data.get(KEY);
    }
    String gz = binaryData == null ? null : binaryData.get(GZIP_KEY);
    if (gz == null) {
      return null;
    }
    try (InputStream in =
        new GZIPInputStream(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(gz)))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[64 * 1024];
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        if (out.size() + n > MAX_EXPANDED_BYTES) {
          throw new ConfigException(
              List.of(
                  GZIP_KEY
                      + ": expands past "
                      + MAX_EXPANDED_BYTES
                      + " bytes; refused (a configuration is not that large)"));
        }
        out.write(buf, 0, n);
      }
      return out.toString(StandardCharsets.UTF_8);
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException(List.of(GZIP_KEY + ": not base64 gzip data: " + e.getMessage()));
    }
  }
}

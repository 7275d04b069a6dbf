package dev.oidcecr.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * Describes an image for {@link FakeAws#seedImage(String, java.util.function.Consumer)}: layers
 * (tar or gzipped tar bytes, or files), an optional image config, and tags. The fake builds an
 * OCI image manifest for it, stores every blob, and returns the manifest digest.
 *
 * <pre>{@code
 * String digest = aws.seedImage("team/app", image -> image
 *     .layer(Path.of("build/app.tar.gz"))
 *     .tag("v1").tag("latest"));
 * }</pre>
 */
public final class ImageSpec {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
  private static final String LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

  private final List<byte[]> layers = new ArrayList<>();
  private final List<String> tags = new ArrayList<>();
  private byte[] config;

  ImageSpec() {}

  /**
   * Adds a layer, after those added before; its media type is the OCI tar or tar+gzip one,
   * told apart by the gzip magic bytes. The bytes are copied.
   *
   * @param content a tar archive, gzipped or not
   * @return this spec
   */
  public ImageSpec layer(byte[] content) {
    layers.add(Objects.requireNonNull(content, "content").clone());
    return this;
  }

  /**
   * Adds a layer read from a file, after those added before: a tar archive, gzipped or not.
   *
   * @param file the layer file, such as {@code build/app.tar.gz}
   * @return this spec
   * @throws java.io.UncheckedIOException if the file cannot be read
   */
  public ImageSpec layer(Path file) {
    try {
      layers.add(Files.readAllBytes(Objects.requireNonNull(file, "file")));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the layer file " + file
          + ": pass a readable tar or tar.gz file", e);
    }
    return this;
  }

  /**
   * Sets the image config JSON, stored exactly as given; by default a linux/amd64 config whose
   * {@code rootfs.diff_ids} match the layers.
   *
   * @param json the config document
   * @return this spec
   * @throws IllegalArgumentException if the text is not JSON
   */
  public ImageSpec config(String json) {
    try {
      JSON.readTree(Objects.requireNonNull(json, "json"));
    } catch (IOException e) {
      throw new IllegalArgumentException("The image config is not JSON: pass a document such "
          + "as {\"architecture\":\"amd64\",\"os\":\"linux\",...}", e);
    }
    this.config = json.getBytes(StandardCharsets.UTF_8);
    return this;
  }

  /**
   * Adds a tag pointing at the image; an image without tags is stored untagged.
   *
   * @param tag the tag, such as {@code v1} or {@code latest}
   * @return this spec
   */
  public ImageSpec tag(String tag) {
    tags.add(Objects.requireNonNull(tag, "tag"));
    return this;
  }

  List<String> tags() {
    return List.copyOf(tags);
  }

  /** Returns the blobs to store, the config first. */
  List<byte[]> blobs() {
    List<byte[]> all = new ArrayList<>();
    all.add(configBytes());
    all.addAll(layers);
    return all;
  }

  byte[] manifest() {
    byte[] cfg = configBytes();
    ObjectNode m = JSON.createObjectNode().put("schemaVersion", 2)
        .put("mediaType", "application/vnd.oci.image.manifest.v1+json");
    m.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
        .put("digest", digest(cfg)).put("size", cfg.length);
    ArrayNode ls = m.putArray("layers");
    for (byte[] l : layers) {
      ls.addObject().put("mediaType", gzipped(l) ? LAYER_GZIP : LAYER_TAR)
          .put("digest", digest(l)).put("size", l.length);
    }
    return m.toString().getBytes(StandardCharsets.UTF_8);
  }

  private byte[] configBytes() {
    if (config != null) {
      return config;
    }
    ObjectNode c = JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
    c.putObject("config");
    ObjectNode rootfs = c.putObject("rootfs").put("type", "layers");
    ArrayNode ids = rootfs.putArray("diff_ids");
    for (byte[] l : layers) {
      ids.add(digest(uncompressed(l)));
    }
    return c.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static boolean gzipped(byte[] b) {
    return b.length > 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
  }

  private static byte[] uncompressed(byte[] b) {
    if (!gzipped(b)) {
      return b;
    }
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalArgumentException("A layer starts like gzip but does not decompress: "
          + "pass a valid tar.gz or an uncompressed tar", e);
    }
  }

  static String digest(byte[] content) {
    try {
      return "sha256:" + HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "ImageSpec{layers=" + layers.size() + ", tags=" + tags + ", config="
        + (config == null ? "default" : Arrays.hashCode(config)) + "}";
  }
}

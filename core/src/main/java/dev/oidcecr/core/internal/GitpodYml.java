package dev.oidcecr.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Reads the workspace image of a {@code .gitpod.yml}: a reference, or a Dockerfile to build. */
public final class GitpodYml {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private GitpodYml() {}

  /**
   * The {@code image} entry of a {@code .gitpod.yml}.
   *
   * @param reference the image reference ({@code image: <ref>}), if given as a string
   * @param dockerfile the Dockerfile ({@code image: {file: ...}}), resolved against the folder
   *     of the {@code .gitpod.yml} (the repository root)
   * @param context the build context ({@code image.context}), resolved likewise
   */
  public record Image(Optional<String> reference, Optional<Path> dockerfile,
      Optional<Path> context) {}

  /**
   * Reads the image of {@code file}; empty when the file has no {@code image} entry (the
   * default workspace image).
   *
   * @throws IllegalArgumentException when the file cannot be read or the entry is malformed
   */
  public static Optional<Image> read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("No file " + file + ": give the path of the"
          + " repository's .gitpod.yml");
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage());
    }
    return parse(text, file.toAbsolutePath().getParent());
  }

  /** Reads the image from YAML text, resolving a Dockerfile against {@code root}. */
  public static Optional<Image> parse(String yaml, Path root) {
    JsonNode doc;
    try {
      doc = YAML.readTree(yaml);
    } catch (IOException e) {
      String where = e instanceof com.fasterxml.jackson.core.JsonProcessingException
          && ((com.fasterxml.jackson.core.JsonProcessingException) e).getLocation() != null
          ? " at line " + ((com.fasterxml.jackson.core.JsonProcessingException) e).getLocation()
              .getLineNr() : "";
      throw new IllegalArgumentException(".gitpod.yml is not valid YAML" + where
          + ": fix the syntax (gp validate shows it too)");
    }
    if (doc == null || doc.isMissingNode() || doc.isNull()) {
      return Optional.empty();
    }
    if (!doc.isObject()) {
      throw new IllegalArgumentException(".gitpod.yml must be a mapping of keys (image, tasks,"
          + " ports, ...), not a " + doc.getNodeType().toString().toLowerCase());
    }
    JsonNode image = doc.get("image");
    if (image == null || image.isNull()) {
      return Optional.empty();
    }
    if (image.isTextual()) {
      return Optional.of(new Image(Optional.of(image.asText().strip()), Optional.empty(),
          Optional.empty()));
    }
    if (image.isObject() && image.get("file") != null && image.get("file").isTextual()) {
      Path dockerfile = root.resolve(image.get("file").asText().strip()).normalize();
      Optional<Path> context = Optional.ofNullable(image.get("context"))
          .filter(JsonNode::isTextual).map(c -> root.resolve(c.asText().strip()).normalize());
      return Optional.of(new Image(Optional.empty(), Optional.of(dockerfile), context));
    }
    throw new IllegalArgumentException(".gitpod.yml's image must be a reference (image:"
        + " 123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/app:latest) or a Dockerfile"
        + " (image: {file: .gitpod.Dockerfile})");
  }
}

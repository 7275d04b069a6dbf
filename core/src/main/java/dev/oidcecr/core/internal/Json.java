package dev.oidcecr.core.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The module's shared Jackson mappers; configured once, thread-safe after that. */
public final class Json {
  private Json() {}

  /**
   * A strict reader: duplicate keys are an error (two {@code sub} claims could be read differently
   * by two parsers) and parser messages never quote the input, which may hold a secret.
   */
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .disable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /**
   * The largest Docker {@code config.json} read: far above real use (a few KiB), and room for what
   * the Docker CLI accepts, which has no size or string limit of its own.
   */
  public static final int MAX_DOCKER_CONFIG_BYTES = 64 * 1024 * 1024;

  /**
   * The deepest nesting read and written in a Docker config: Go's {@code encoding/json}, which
   * the Docker CLI reads it with, stops at 10000 levels.
   */
  public static final int MAX_DOCKER_CONFIG_DEPTH = 10_000;

  /** A lenient reader for files written by other tools (Docker's {@code config.json}). */
  public static final ObjectMapper LENIENT =
      JsonMapper.builder(JsonFactory.builder()
              .streamReadConstraints(StreamReadConstraints.builder()
                  .maxStringLength(MAX_DOCKER_CONFIG_BYTES)
                  .maxDocumentLength(MAX_DOCKER_CONFIG_BYTES)
                  .maxNestingDepth(MAX_DOCKER_CONFIG_DEPTH)
                  .build())
              .streamWriteConstraints(StreamWriteConstraints.builder()
                  .maxNestingDepth(MAX_DOCKER_CONFIG_DEPTH)
                  .build())
              .build())
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE)
          // Trailing text would be dropped by a rewrite: treat it as damage instead.
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /** Writes JSON the way the Docker CLI does: tab indentation and {@code "key": value}. */
  public static final ObjectWriter DOCKER_WRITER =
      LENIENT.writer(
          new DefaultPrettyPrinter()
              .withObjectIndenter(new DefaultIndenter("\t", "\n"))
              .withArrayIndenter(new DefaultIndenter("\t", "\n"))
              .withSeparators(
                  Separators.createDefaultInstance()
                      .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                      .withObjectEmptySeparator("")
                      .withArrayEmptySeparator("")));
}

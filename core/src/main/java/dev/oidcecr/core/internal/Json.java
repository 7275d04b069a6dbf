package dev.oidcecr.core.internal;

import com.fasterxml.jackson.core.JsonParser;
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

  /** A lenient reader for files written by other tools (Docker's {@code config.json}). */
  public static final ObjectMapper LENIENT =
      JsonMapper.builder()
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE)
          // Trailing text would be dropped by a rewrite: treat it as damage instead.
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /** Writes JSON the way the Docker CLI does: tab indentation and {@code "key": value}. */
  public static final ObjectWriter DOCKER_WRITER =
      MAPPER.writer(
          new DefaultPrettyPrinter()
              .withObjectIndenter(new DefaultIndenter("\t", "\n"))
              .withArrayIndenter(new DefaultIndenter("\t", "\n"))
              .withSeparators(
                  Separators.createDefaultInstance()
                      .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                      .withObjectEmptySeparator("")
                      .withArrayEmptySeparator("")));
}

package dev.oidcecr.testing.internal;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The fake's one Jackson mapper, in a holder of its own so that it (and the few hundred Jackson
 * classes it loads) is created by the first call that reads or writes JSON, not on the start
 * path: STS, IAM and the registry's ping answer without it.
 */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}
}

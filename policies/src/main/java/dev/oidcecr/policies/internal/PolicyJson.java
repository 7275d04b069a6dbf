package dev.oidcecr.policies.internal;

import dev.oidcecr.policies.PolicyDocument;

/** Reads and writes IAM policy JSON. */
public final class PolicyJson {
  private PolicyJson() {}

  public static PolicyDocument parse(String json) {
    throw new UnsupportedOperationException("TODO");
  }

  public static String write(PolicyDocument doc, boolean pretty) {
    throw new UnsupportedOperationException("TODO");
  }

  public static int quotaSize(String json) {
    throw new UnsupportedOperationException("TODO");
  }
}

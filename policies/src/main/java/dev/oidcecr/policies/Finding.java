package dev.oidcecr.policies;

/** CONTRACT: a linter finding; id, severity, location, message, fix. Filled in by the linter work. */
public final class Finding {
  /** How serious a finding is. */
  public enum Severity {
    ERROR, WARNING, SUGGESTION
  }
}

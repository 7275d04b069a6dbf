package dev.oidcecr.policies;

/** CONTRACT: a linter finding; id, severity, location, message, fix. Filled in by the linter work. */
public final class Finding {
  /** How serious a finding is. */
  public enum Severity {
    ERROR, WARNING, SUGGESTION
  }

  /** TEMPORARY stub. */
  public String id() { throw new UnsupportedOperationException("TODO"); }
  /** TEMPORARY stub. */
  public Severity severity() { throw new UnsupportedOperationException("TODO"); }
  /** TEMPORARY stub. */
  public String location() { throw new UnsupportedOperationException("TODO"); }
  /** TEMPORARY stub. */
  public String message() { throw new UnsupportedOperationException("TODO"); }
  /** TEMPORARY stub. */
  public String fix() { throw new UnsupportedOperationException("TODO"); }
}

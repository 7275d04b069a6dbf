package dev.oidcecr.core;

import dev.oidcecr.policies.internal.ValueStyle;
import java.util.Optional;
import org.immutables.value.Value;

/** The result of one check of the {@link Doctor}: which link, its status, why, and the fix. */
@Value.Immutable
@ValueStyle
public abstract class DoctorFinding {

  /** The outcome of a check. */
  public enum Status {
    /** The link works. */
    PASS,
    /** The link may work, but something deserves a look. */
    WARN,
    /** The link is broken: the login (or the pull) will be refused. */
    FAIL,
    /** The check could not run (missing input or an earlier failure) or does not apply. */
    SKIPPED
  }

  DoctorFinding() {}

  /**
   * Returns a new builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the stable id of the check, such as {@code trust-policy}.
   *
   * @return the stable id of the check, such as {@code trust-policy}
   */
  public abstract String id();

  /**
   * Returns the check's title, such as {@code Trust policy allows this token}.
   *
   * @return the check's title, such as {@code Trust policy allows this token}
   */
  public abstract String title();

  /**
   * Returns the outcome.
   *
   * @return the outcome
   */
  public abstract Status status();

  /**
   * Returns what the check found, with the values it compared.
   *
   * @return what the check found, with the values it compared
   */
  public abstract String reason();

  /**
   * Returns what to do, for a failure or a warning.
   *
   * @return what to do, for a failure or a warning
   */
  public abstract Optional<String> fix();

  /** Renders the finding for a terminal. */
  @Override
  public String toString() {
    return "[" + status() + "] " + id() + ": " + title() + " - " + reason()
        + fix().map(f -> " Fix: " + f).orElse("");
  }

  /** Builds a {@link DoctorFinding}. */
  public static final class Builder extends ImmutableDoctorFinding.Builder {
    Builder() {}
  }
}

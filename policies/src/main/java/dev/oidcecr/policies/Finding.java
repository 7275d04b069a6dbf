package dev.oidcecr.policies;

import dev.oidcecr.policies.internal.ValueStyle;
import java.util.Collection;
import org.immutables.value.Value;

/**
 * One problem the {@link PolicyLinter} found: a stable {@linkplain #id() id} (one of
 * {@link LintRule}, in upper snake case such as {@code TRUST_NO_SUB_CONDITION}), a severity, the
 * JSON pointer of the offending element, what is wrong and how to fix it.
 */
@Value.Immutable
@ValueStyle
public abstract class Finding {

  /** How serious a finding is. */
  public enum Severity {
    /** IAM rejects the policy, or it lets in (or keeps out) principals it obviously should not. */
    ERROR,
    /** Probably a mistake, or broader than it looks. */
    WARNING,
    /** Works, but could be better. */
    SUGGESTION
  }

  Finding() {}

  /**
   * Returns a new builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a finding of the given rule with its default severity.
   *
   * @param rule the lint rule that found the problem
   * @param location where in the policy the problem is, as a JSON pointer
   * @param message the detail message, naming the problem and the fix
   * @param fix what to change to fix the problem
   * @return a finding of the given rule with its default severity
   */
  public static Finding of(LintRule rule, String location, String message, String fix) {
    return of(rule, rule.defaultSeverity(), location, message, fix);
  }

  /**
   * Returns a finding of the given rule with the given severity.
   *
   * @param rule the lint rule that found the problem
   * @param severity how serious the problem is
   * @param location where in the policy the problem is, as a JSON pointer
   * @param message the detail message, naming the problem and the fix
   * @param fix what to change to fix the problem
   * @return a finding of the given rule with the given severity
   */
  public static Finding of(
      LintRule rule, Severity severity, String location, String message, String fix) {
    return builder().id(rule.id()).severity(severity).location(location).message(message)
        .fix(fix).build();
  }

  /**
   * Returns the rule's stable id, such as {@code TRUST_NO_SUB_CONDITION}.
   *
   * @return the rule's stable id, such as {@code TRUST_NO_SUB_CONDITION}
   */
  public abstract String id();

  /**
   * Returns how serious the finding is.
   *
   * @return how serious the finding is
   */
  public abstract Severity severity();

  /**
   * Returns the JSON pointer (RFC 6901) of the offending element as the policy is written by
   * {@link PolicyDocument#toJson()}, such as
   * {@code /Statement/0/Condition/StringLike/services.gitpod.example.com~1idp:sub/1}; the empty
   * string stands for the whole document.
   *
   * @return the JSON pointer (RFC 6901) of the offending element as the policy is written by {@link PolicyDocument#toJson()}, such as {@code /Statement/0/Condition/StringLike/services.gitpod.example.com~1idp:sub/1}; the empty string stands for the whole document
   */
  public abstract String location();

  /**
   * Returns what is wrong, naming the values involved.
   *
   * @return what is wrong, naming the values involved
   */
  public abstract String message();

  /**
   * Returns one or two sentences saying how to fix it.
   *
   * @return one or two sentences saying how to fix it
   */
  public abstract String fix();

  /**
   * Returns whether this finding is an {@link Severity#ERROR}.
   *
   * @return whether this finding is an {@link Severity#ERROR}
   */
  public boolean isError() {
    return severity() == Severity.ERROR;
  }

  /**
   * Returns whether any of the findings is an {@link Severity#ERROR}.
   *
   * @param findings the findings to look through
   * @return whether any of the findings is an {@link Severity#ERROR}
   */
  public static boolean hasErrors(Collection<Finding> findings) {
    return findings.stream().anyMatch(Finding::isError);
  }

  /** Returns {@code SEVERITY ID at location: message Fix: fix}. */
  @Override
  public String toString() {
    return severity() + " " + id() + " at " + (location().isEmpty() ? "(document)" : location())
        + ": " + message() + " Fix: " + fix();
  }

  /** Builds a {@link Finding}; every attribute is required. */
  public static final class Builder extends ImmutableFinding.Builder {
    Builder() {}
  }
}

package dev.oidcecr.core;

import dev.oidcecr.policies.Finding;
import dev.oidcecr.policies.internal.ValueStyle;
import java.util.List;
import org.immutables.value.Value;

/**
 * The ordered changes {@link AwsSetup#plan()} found between the current AWS state and the wanted
 * one, with the linter's findings on the wanted policies. An empty plan means nothing to do.
 */
@Value.Immutable
@ValueStyle
public abstract class SetupPlan {

  SetupPlan() {}

  /**
   * Returns a new builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the ARN the role has (or will have once created).
   *
   * @return the ARN the role has (or will have once created)
   */
  public abstract String roleArn();

  /**
   * Returns the ARN the OIDC provider has (or will have once created).
   *
   * @return the ARN the OIDC provider has (or will have once created)
   */
  public abstract String providerArn();

  /**
   * Returns the changes in the order {@link AwsSetup#apply()} makes them.
   *
   * @return the changes in the order {@link AwsSetup#apply()} makes them
   */
  public abstract List<SetupChange> changes();

  /**
   * Returns the linter's findings on the wanted trust, permission and repository policies.
   *
   * @return the linter's findings on the wanted trust, permission and repository policies
   */
  public abstract List<Finding> findings();

  /**
   * Tells whether nothing needs to change.
   *
   * @return {@code true} if nothing needs to change
   */
  public boolean isEmpty() {
    return changes().isEmpty();
  }

  /**
   * Renders the plan for a terminal: each change with its policy diff, then the findings.
   *
   * @return the text, ready to print
   */
  public String render() {
    StringBuilder out = new StringBuilder();
    if (changes().isEmpty()) {
      out.append("No changes: the AWS setup for role ").append(roleArn())
          .append(" is up to date.\n");
    } else {
      out.append(changes().size()).append(" change").append(changes().size() == 1 ? "" : "s")
          .append(" for role ").append(roleArn()).append(":\n");
      int n = 1;
      for (SetupChange c : changes()) {
        out.append(n++).append(". ").append(c.render());
      }
    }
    if (!findings().isEmpty()) {
      out.append("Linter findings:\n");
      for (Finding f : findings()) {
        out.append("  ").append(f.severity()).append(' ').append(f.id()).append(" at ")
            .append(f.location()).append(": ").append(f.message()).append(" Fix: ")
            .append(f.fix()).append('\n');
      }
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return render();
  }

  /** Builds a {@link SetupPlan}. */
  public static final class Builder extends ImmutableSetupPlan.Builder {
    Builder() {}
  }
}

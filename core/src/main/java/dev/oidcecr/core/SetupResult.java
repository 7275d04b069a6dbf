package dev.oidcecr.core;

import dev.oidcecr.policies.internal.ValueStyle;
import java.util.List;
import org.immutables.value.Value;

/**
 * What {@link AwsSetup#apply()} did: the role and provider ARNs, the changes made (empty when
 * everything was already in place) and the next steps to give workspace users.
 */
@Value.Immutable
@ValueStyle
public abstract class SetupResult {

  /** The repository environment variable Gitpod workspaces read the role ARN from. */
  public static final String ROLE_ARN_VARIABLE = "IDP_AWS_ROLE_ARN";

  SetupResult() {}

  /**
   * Returns a new builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the ARN of the role workspaces assume.
   *
   * @return the ARN of the role workspaces assume
   */
  public abstract String roleArn();

  /**
   * Returns the ARN of the IAM OIDC provider of the installation.
   *
   * @return the ARN of the IAM OIDC provider of the installation
   */
  public abstract String providerArn();

  /**
   * Returns the changes made, in order; empty when nothing needed to change.
   *
   * @return the changes made, in order; empty when nothing needed to change
   */
  public abstract List<SetupChange> changes();

  /**
   * Returns the steps left to the people using workspaces, as lines of text.
   *
   * @return the steps left to the people using workspaces, as lines of text
   */
  public abstract List<String> nextSteps();

  /**
   * Renders the result for a terminal.
   *
   * @return the text, ready to print
   */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append(changes().isEmpty() ? "Nothing to change" : "Applied " + changes().size()
        + " change" + (changes().size() == 1 ? "" : "s")).append(".\n");
    for (SetupChange c : changes()) {
      out.append("  ").append(c.kind()).append(' ').append(c.resourceArn()).append('\n');
    }
    out.append("Role:     ").append(roleArn()).append('\n');
    out.append("Provider: ").append(providerArn()).append('\n');
    out.append("Next steps:\n");
    int n = 1;
    for (String step : nextSteps()) {
      out.append("  ").append(n++).append(". ").append(step).append('\n');
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return render();
  }

  /** Builds a {@link SetupResult}. */
  public static final class Builder extends ImmutableSetupResult.Builder {
    Builder() {}
  }
}

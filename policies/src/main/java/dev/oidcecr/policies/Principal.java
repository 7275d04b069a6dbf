package dev.oidcecr.policies;

import dev.oidcecr.policies.internal.ValueStyle;
import java.util.List;
import org.immutables.value.Value;

/**
 * The {@code Principal} (or {@code NotPrincipal}) element of a statement: either everyone
 * ({@code "*"}) or lists of principals by type ({@code AWS}, {@code Federated}, {@code Service},
 * {@code CanonicalUser}).
 *
 * <p>{@code "Principal": "*"} and {@code "Principal": {"AWS": "*"}} are kept apart, as written,
 * although IAM treats them alike.
 */
@Value.Immutable
@ValueStyle
public abstract class Principal {

  Principal() {}

  /**
   * Returns a new builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns {@code "Principal": "*"}: everyone, including anonymous callers.
   *
   * @return {@code "Principal": "*"}: everyone, including anonymous callers
   */
  public static Principal all() {
    return builder().isWildcard(true).build();
  }

  /**
   * Returns an {@code AWS} principal: account ids, account root ARNs, role or user ARNs.
   *
   * @param arns the account IDs or ARNs
   * @return an {@code AWS} principal: account ids, account root ARNs, role or user ARNs
   */
  public static Principal aws(String... arns) {
    return builder().addAws(arns).build();
  }

  /**
   * Returns a {@code Federated} principal, such as an OIDC provider ARN.
   *
   * @param providers the federated principals
   * @return a {@code Federated} principal, such as an OIDC provider ARN
   */
  public static Principal federated(String... providers) {
    return builder().addFederated(providers).build();
  }

  /**
   * Returns a {@code Service} principal, such as {@code ecs-tasks.amazonaws.com}.
   *
   * @param services the AWS service principals
   * @return a {@code Service} principal, such as {@code ecs-tasks.amazonaws.com}
   */
  public static Principal service(String... services) {
    return builder().addService(services).build();
  }

  /**
   * Returns whether this is the bare {@code "*"} form.
   *
   * @return whether this is the bare {@code "*"} form
   */
  @Value.Default
  public boolean isWildcard() {
    return false;
  }

  /**
   * Returns the {@code AWS} values.
   *
   * @return the {@code AWS} values
   */
  public abstract List<String> aws();

  /**
   * Returns the {@code Federated} values.
   *
   * @return the {@code Federated} values
   */
  public abstract List<String> federated();

  /**
   * Returns the {@code Service} values.
   *
   * @return the {@code Service} values
   */
  public abstract List<String> service();

  /**
   * Returns the {@code CanonicalUser} values.
   *
   * @return the {@code CanonicalUser} values
   */
  public abstract List<String> canonicalUser();

  @Value.Check
  void check() {
    boolean typed = !aws().isEmpty() || !federated().isEmpty() || !service().isEmpty()
        || !canonicalUser().isEmpty();
    if (isWildcard() && typed) {
      throw new IllegalArgumentException(
          "A principal is either \"*\" or a map of AWS/Federated/Service/CanonicalUser values,"
              + " not both");
    }
    if (!isWildcard() && !typed) {
      throw new IllegalArgumentException(
          "A principal needs at least one value: use Principal.all() for \"*\" or add an AWS,"
              + " Federated, Service or CanonicalUser value");
    }
  }

  /** Builds a {@link Principal}. */
  public static final class Builder extends ImmutablePrincipal.Builder {
    Builder() {}
  }
}

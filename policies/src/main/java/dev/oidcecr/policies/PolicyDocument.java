package dev.oidcecr.policies;

import dev.oidcecr.policies.internal.PolicyJson;
import dev.oidcecr.policies.internal.ValueStyle;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.immutables.value.Value;

/**
 * An IAM JSON policy document: version, optional id and statements.
 *
 * <pre>{@code
 * PolicyDocument p = PolicyDocument.builder()
 *     .addStatement(s -> s.allow().addActions("ecr:GetAuthorizationToken").addResources("*"))
 *     .build();
 * String json = p.toJson();
 * PolicyDocument again = PolicyDocument.parse(json);   // equals p
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class PolicyDocument {

  /** The current policy language version, {@code 2012-10-17}. */
  public static final String VERSION_2012_10_17 = "2012-10-17";

  /** The legacy policy language version, {@code 2008-10-17}. */
  public static final String VERSION_2008_10_17 = "2008-10-17";

  PolicyDocument() {}

  /**
   * Returns a new builder with version {@code 2012-10-17}.
   *
   * @return a new builder with version {@code 2012-10-17}
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this document's values.
   *
   * @return a builder holding this document's values
   */
  public Builder toBuilder() {
    return builder().from(this);
  }

  /**
   * Parses a policy as IAM accepts it: {@code Statement} as an object or an array, scalar or
   * array values, unquoted numbers and booleans, and URL-encoded documents as IAM's
   * {@code GetRole} returns them.
   *
   * @throws PolicyParseException naming the JSON pointer and the problem
   *
   * @param json the JSON text
   * @return the parsed policy
   */
  public static PolicyDocument parse(String json) {
    return PolicyJson.parse(json);
  }

  /**
   * Returns the {@code Version} element; absent only for a parsed document that had none (IAM
   * then uses {@code 2008-10-17}).
   *
   * @return the {@code Version} element; absent only for a parsed document that had none (IAM then uses {@code 2008-10-17})
   */
  @Value.Default
  public Optional<String> version() {
    return Optional.of(VERSION_2012_10_17);
  }

  /**
   * Returns the {@code Id} element, if present.
   *
   * @return the {@code Id} element, if present
   */
  public abstract Optional<String> id();

  /**
   * Returns the statements, in order.
   *
   * @return the statements, in order
   */
  public abstract List<Statement> statements();

  /**
   * Returns the first statement with the given Sid.
   *
   * @param sid the statement ID (letters and digits only)
   * @return the first statement with the given Sid
   */
  public Optional<Statement> statement(String sid) {
    return statements().stream().filter(s -> s.sid().filter(sid::equals).isPresent()).findFirst();
  }

  /**
   * Returns compact JSON with keys in IAM's documented order.
   *
   * @return compact JSON with keys in IAM's documented order
   */
  public String toJson() {
    return PolicyJson.write(this, false);
  }

  /**
   * Returns indented JSON with keys in IAM's documented order.
   *
   * @return indented JSON with keys in IAM's documented order
   */
  public String toPrettyJson() {
    return PolicyJson.write(this, true);
  }

  /**
   * Returns the size IAM counts against its quotas: the compact JSON without whitespace outside
   * strings.
   *
   * @return the size IAM counts against its quotas: the compact JSON without whitespace outside strings
   */
  public int quotaSize() {
    return PolicyJson.quotaSize(toJson());
  }

  /** Returns the pretty JSON. */
  @Override
  public String toString() {
    return toPrettyJson();
  }

  /** Builds a {@link PolicyDocument}. */
  public static final class Builder extends ImmutablePolicyDocument.Builder {
    Builder() {}

    /**
     * Adds a statement configured by the consumer.
     *
     * @param statement a statement configured by the consumer
     * @return this builder
     */
    public Builder addStatement(Consumer<Statement.Builder> statement) {
      Statement.Builder b = Statement.builder();
      statement.accept(b);
      return addStatements(b.build());
    }
  }
}

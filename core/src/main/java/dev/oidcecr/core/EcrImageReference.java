package dev.oidcecr.core;

import dev.oidcecr.core.internal.RegistryParser;
import dev.oidcecr.policies.internal.ValueStyle;
import java.util.Optional;
import org.immutables.value.Value;

/**
 * A reference to an image in Amazon ECR: registry, repository, and an optional tag and digest.
 *
 * <pre>{@code
 * EcrImageReference ref = EcrImageReference.parse(
 *     "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1.4");
 * ref.repository();  // "team/app"
 * ref.tag();         // Optional[1.4]
 * }</pre>
 */
@Value.Immutable
@ValueStyle
public abstract class EcrImageReference {

  EcrImageReference() {}

  /**
   * Returns a new builder; registry and repository are required.
   *
   * @return a new builder; registry and repository are required
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Parses {@code host/repository[:tag][@sha256:digest]}, with an optional {@code https://} or
   * {@code docker://} prefix.
   *
   * @throws InvalidRegistryException if the text is not an ECR image reference, with the reason
   *
   * @param text an image reference, such as
   *     {@code 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1}
   * @return the parsed image reference
   */
  public static EcrImageReference parse(String text) {
    RegistryParser.Parsed p = RegistryParser.parse(text);
    if (p.repository.isEmpty()) {
      throw new InvalidRegistryException(
          "\""
              + RegistryParser.safeEcho(text.strip())
              + "\" names a registry but no repository: an image reference is"
              + " host/repository[:tag][@sha256:digest]");
    }
    Builder b = builder().registry(EcrRegistry.from(p.host)).repository(p.repository.get());
    p.tag.ifPresent(b::tag);
    p.digest.ifPresent(b::digest);
    return b.build();
  }

  /**
   * Returns the registry holding the image.
   *
   * @return the registry holding the image
   */
  public abstract EcrRegistry registry();

  /**
   * Returns the repository name, such as {@code team/app}.
   *
   * @return the repository name, such as {@code team/app}
   */
  public abstract String repository();

  /**
   * Returns the tag, if the reference has one.
   *
   * @return the tag, if the reference has one
   */
  public abstract Optional<String> tag();

  /**
   * Returns the digest ({@code sha256:} and 64 hex digits), if the reference has one.
   *
   * @return the digest ({@code sha256:} and 64 hex digits), if the reference has one
   */
  public abstract Optional<String> digest();

  /**
   * Returns the repository's ARN.
   *
   * @return the repository's ARN
   */
  public String repositoryArn() {
    return registry().repositoryArn(repository());
  }

  /**
   * Returns the reference as Docker writes it: {@code host/repository[:tag][@digest]}.
   *
   * @return the reference as Docker writes it
   */
  public String reference() {
    return registry().host()
        + "/"
        + repository()
        + tag().map(t -> ":" + t).orElse("")
        + digest().map(d -> "@" + d).orElse("");
  }

  @Value.Check
  void check() {
    // Validate through the parser so that builder-made references obey the same rules.
    RegistryParser.Parsed p = RegistryParser.parse(reference());
    if (!p.repository.equals(Optional.of(repository()))) {
      throw new InvalidRegistryException(
          "\"" + repository() + "\" is not a valid ECR repository name");
    }
  }

  /** Returns {@link #reference()}. */
  @Override
  public String toString() {
    return reference();
  }

  /** Builds an {@link EcrImageReference}. */
  public static final class Builder extends ImmutableEcrImageReference.Builder {
    Builder() {}
  }
}

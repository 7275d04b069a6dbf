package dev.oidcecr.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a JUnit 5 test class against a {@link FakeAws}, injected into test methods, constructors
 * and lifecycle methods that declare a {@link FakeAws} or {@link FakeOidcIssuer} parameter.
 *
 * <pre>{@code
 * @WithFakeAws(region = "eu-west-1")
 * class LoginTest {
 *   @Test
 *   void login(FakeAws aws, FakeOidcIssuer issuer) { ... }
 * }
 * }</pre>
 *
 * <p>{@code @Nested} classes share the enclosing class's fake; a nested class that carries its
 * own {@code @WithFakeAws} gets a fake of its own with its settings. Every fake is closed when
 * the class (or, with {@link FakeAwsExtension.Lifecycle#PER_TEST}, the test) that started it is
 * done. See {@link FakeAwsExtension} about parallel execution.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(FakeAwsExtension.class)
public @interface WithFakeAws {
  /**
   * Returns the region; default {@code eu-west-1}.
   *
   * @return the region; default {@code eu-west-1}
   */
  String region() default "eu-west-1";

  /**
   * Returns the account id; default {@code 123456789012}.
   *
   * @return the account id; default {@code 123456789012}
   */
  String accountId() default "123456789012";

  /**
   * Returns whether one fake serves the whole class or each test gets a new one.
   *
   * @return whether one fake serves the whole class or each test gets a new one
   */
  FakeAwsExtension.Lifecycle lifecycle() default FakeAwsExtension.Lifecycle.PER_CLASS;

  /**
   * Returns whether the fake's state is reset before each test (per-class lifecycle).
   *
   * @return whether the fake's state is reset before each test (per-class lifecycle)
   */
  boolean resetBeforeEach() default true;
}

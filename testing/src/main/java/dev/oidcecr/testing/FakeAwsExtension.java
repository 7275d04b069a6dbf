package dev.oidcecr.testing;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 glue for {@link FakeAws}: starts it before the tests, closes it after, optionally
 * resets its state before each test, and injects {@link FakeAws} and {@link FakeOidcIssuer}
 * parameters. Use it programmatically or through {@link WithFakeAws}.
 *
 * <pre>{@code
 * @RegisterExtension
 * static FakeAwsExtension aws = FakeAwsExtension.builder().region("us-east-1").build();
 *
 * @Test
 * void login() {
 *   String token = aws.fake().issuer().token().mint();
 * }
 * }</pre>
 */
public final class FakeAwsExtension implements BeforeAllCallback, AfterAllCallback,
    BeforeEachCallback, AfterEachCallback, ParameterResolver {

  /** When the fake is started and closed. */
  public enum Lifecycle {
    /** One fake for all tests of the class (register the extension in a static field). */
    PER_CLASS,
    /** A new fake for each test. */
    PER_TEST
  }

  private final boolean declarative;
  private Lifecycle lifecycle;
  private boolean resetBeforeEach;
  private Consumer<FakeAws.Builder> configurer;
  private volatile FakeAws fake;

  /** Creates the extension from the test class's {@link WithFakeAws} annotation. */
  public FakeAwsExtension() {
    this.declarative = true;
    this.lifecycle = Lifecycle.PER_CLASS;
    this.resetBeforeEach = true;
    this.configurer = b -> { };
  }

  private FakeAwsExtension(Builder b) {
    this.declarative = false;
    this.lifecycle = b.lifecycle;
    this.resetBeforeEach = b.resetBeforeEach;
    this.configurer = b.configurer;
  }

  /** Returns a builder: per-class lifecycle, reset before each test, default fake settings. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the running fake.
   *
   * @throws IllegalStateException outside a test (before the extension started it)
   */
  public FakeAws fake() {
    FakeAws f = fake;
    if (f == null) {
      throw new IllegalStateException("The fake is not running: FakeAwsExtension.fake() is "
          + "available inside tests (register the extension with @RegisterExtension).");
    }
    return f;
  }

  /** Returns the running fake's issuer. */
  public FakeOidcIssuer issuer() {
    return fake().issuer();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (declarative) {
      readAnnotation(context);
    }
    if (lifecycle == Lifecycle.PER_CLASS) {
      fake = startNew();
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (declarative && fake == null && lifecycle == Lifecycle.PER_CLASS) {
      readAnnotation(context);
    }
    if (lifecycle == Lifecycle.PER_TEST || fake == null) {
      fake = startNew();
    } else if (resetBeforeEach) {
      fake.reset();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (lifecycle == Lifecycle.PER_TEST) {
      closeFake();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    closeFake();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == FakeAws.class || type == FakeOidcIssuer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    if (fake == null) {
      if (lifecycle == Lifecycle.PER_TEST) {
        throw new ParameterResolutionException("With Lifecycle.PER_TEST the fake exists only "
            + "inside tests: inject FakeAws into test methods, not into constructors or "
            + "@BeforeAll methods.");
      }
      fake = startNew();
    }
    return parameter.getParameter().getType() == FakeAws.class ? fake : fake.issuer();
  }

  private void readAnnotation(ExtensionContext context) {
    Optional<WithFakeAws> a = context.getTestClass()
        .map(c -> c.getAnnotation(WithFakeAws.class));
    a.ifPresent(w -> {
      lifecycle = w.lifecycle();
      resetBeforeEach = w.resetBeforeEach();
      configurer = b -> b.region(w.region()).accountId(w.accountId());
    });
  }

  private FakeAws startNew() {
    FakeAws.Builder b = FakeAws.builder();
    configurer.accept(b);
    return b.build().start();
  }

  private void closeFake() {
    FakeAws f = fake;
    fake = null;
    if (f != null) {
      f.close();
    }
  }

  /** Configures a {@link FakeAwsExtension}. */
  public static final class Builder {
    private Lifecycle lifecycle = Lifecycle.PER_CLASS;
    private boolean resetBeforeEach = true;
    private Consumer<FakeAws.Builder> configurer = b -> { };

    private Builder() {}

    /** Sets the lifecycle; default {@link Lifecycle#PER_CLASS}. */
    public Builder lifecycle(Lifecycle lifecycle) {
      this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
      return this;
    }

    /** Sets whether state is reset before each test of a per-class fake; default true. */
    public Builder resetBeforeEach(boolean reset) {
      this.resetBeforeEach = reset;
      return this;
    }

    /** Configures the fake itself (region, account, clock, issuer...). */
    public Builder configure(Consumer<FakeAws.Builder> configurer) {
      this.configurer = this.configurer.andThen(Objects.requireNonNull(configurer, "configurer"));
      return this;
    }

    /** Sets the fake's region. */
    public Builder region(String region) {
      return configure(b -> b.region(region));
    }

    /** Sets the fake's account id. */
    public Builder accountId(String accountId) {
      return configure(b -> b.accountId(accountId));
    }

    /** Returns the extension. */
    public FakeAwsExtension build() {
      return new FakeAwsExtension(this);
    }
  }
}

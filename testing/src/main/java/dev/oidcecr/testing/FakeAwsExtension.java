package dev.oidcecr.testing;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.parallel.ExecutionMode;

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
 *
 * <p>Each fake lives in the {@link ExtensionContext.Store} of the class (per-class lifecycle)
 * or of the test (per-test lifecycle) that started it, so JUnit closes it when that class or
 * test is done, whatever the outcome. {@code @Nested} classes share their enclosing class's fake,
 * unless a nested class carries its own {@link WithFakeAws}, which gives it a fake of its own.
 * Each invocation of a {@code @ParameterizedTest} or {@code @RepeatedTest} counts as a test.
 *
 * <p>Parallel execution: a per-class fake reset before each test cannot serve tests that run
 * concurrently (one test's reset would wipe another's state), so such a test fails with an
 * explanation; use {@link Lifecycle#PER_TEST} for concurrent tests.
 */
public final class FakeAwsExtension implements BeforeAllCallback, AfterAllCallback,
    BeforeEachCallback, AfterEachCallback, ParameterResolver {

  /** When the fake is started and closed. */
  public enum Lifecycle {
    /** One fake for all tests of the class and its {@code @Nested} classes. */
    PER_CLASS,
    /** A new fake for each test. */
    PER_TEST
  }

  /** The effective settings for one test class; {@code key} names its fake in the store. */
  private record Settings(Object key, Lifecycle lifecycle, boolean resetBeforeEach,
      Consumer<FakeAws.Builder> configurer) {}

  private final Settings programmatic;
  private final Namespace namespace;
  // The fakes entered on this thread (class, then test): fake() answers with the innermost.
  private final ThreadLocal<Deque<FakeAws>> entered = ThreadLocal.withInitial(ArrayDeque::new);
  private final Set<FakeAws> running = ConcurrentHashMap.newKeySet();

  /** Creates the extension from the test class's {@link WithFakeAws} annotation. */
  public FakeAwsExtension() {
    this.programmatic = null;
    this.namespace = Namespace.create(FakeAwsExtension.class, this);
  }

  private FakeAwsExtension(Builder b) {
    this.programmatic = new Settings("fake", b.lifecycle, b.resetBeforeEach, b.configurer);
    this.namespace = Namespace.create(FakeAwsExtension.class, this);
  }

  /**
   * Returns a builder: per-class lifecycle, reset before each test, default fake settings.
   *
   * @return a builder: per-class lifecycle, reset before each test, default fake settings
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the fake of the running test (or, in {@code @BeforeAll} methods, of the class).
   *
   * @throws IllegalStateException outside a test, or from a thread of its own while several
   *     fakes of this extension run at once
   *
   * @return the fake of the running test (or, in {@code @BeforeAll} methods, of the class)
   */
  public FakeAws fake() {
    FakeAws f = entered.get().peekLast();
    if (f != null) {
      return f;
    }
    Set<FakeAws> now = Set.copyOf(running);
    if (now.size() == 1) {
      return now.iterator().next();
    }
    if (now.isEmpty()) {
      throw new IllegalStateException("The fake is not running: FakeAwsExtension.fake() is "
          + "available inside tests (register the extension with @RegisterExtension).");
    }
    throw new IllegalStateException(now.size() + " fakes of this extension are running at "
        + "once and this thread belongs to none of their tests: call FakeAwsExtension.fake() "
        + "from the test's own thread, or inject a FakeAws parameter into the test method.");
  }

  /**
   * Returns the running fake's issuer.
   *
   * @return the running fake's issuer
   */
  public FakeOidcIssuer issuer() {
    return fake().issuer();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Settings s = settings(context);
    if (s.lifecycle() == Lifecycle.PER_CLASS) {
      entered.get().addLast(classFake(context, s));
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (settings(context).lifecycle() == Lifecycle.PER_CLASS) {
      leave();
    }
    // The fake itself is closed by JUnit with the class's store.
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Settings s = settings(context);
    FakeAws f;
    if (s.lifecycle() == Lifecycle.PER_TEST) {
      f = testFake(context, s);
    } else {
      f = classFake(context, s);
      if (s.resetBeforeEach()) {
        if (context.getExecutionMode() == ExecutionMode.CONCURRENT) {
          throw new IllegalStateException(context.getDisplayName() + " runs concurrently with "
              + "other tests but shares one fake that is reset before each test, so one test "
              + "would wipe another's state: use @WithFakeAws(lifecycle = PER_TEST) (or "
              + "FakeAwsExtension.builder().lifecycle(PER_TEST)), or resetBeforeEach = false, or "
              + "@Execution(ExecutionMode.SAME_THREAD) on the class.");
        }
        f.reset();
      }
    }
    entered.get().addLast(f);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    leave();
    // A per-test fake is closed by JUnit with the test's store, after this callback.
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == FakeAws.class || type == FakeOidcIssuer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Settings s = settings(context);
    FakeAws f;
    if (s.lifecycle() == Lifecycle.PER_TEST) {
      if (context.getTestMethod().isEmpty()) {
        throw new ParameterResolutionException("With Lifecycle.PER_TEST the fake exists only "
            + "inside tests: inject FakeAws into test methods, not into constructors or "
            + "@BeforeAll methods.");
      }
      f = testFake(context, s);
    } else {
      f = classFake(context, s);
    }
    return parameter.getParameter().getType() == FakeAws.class ? f : f.issuer();
  }

  private void leave() {
    Deque<FakeAws> stack = entered.get();
    stack.pollLast();
    if (stack.isEmpty()) {
      entered.remove();
    }
  }

  /**
   * The class-level fake: found in this class's store or an enclosing class's (a nested class
   * shares it), else started and kept in the nearest class's store.
   */
  private FakeAws classFake(ExtensionContext context, Settings s) {
    ExtensionContext c = context;
    while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
      c = c.getParent().get();
    }
    return c.getStore(namespace).getOrComputeIfAbsent(s.key(), k -> start(s), Running.class)
        .fake;
  }

  /** The per-test fake, kept in the store of the test (or of one parameterized invocation). */
  private FakeAws testFake(ExtensionContext context, Settings s) {
    return context.getStore(namespace).getOrComputeIfAbsent(s.key(), k -> start(s),
        Running.class).fake;
  }

  private Running start(Settings s) {
    FakeAws.Builder b = FakeAws.builder();
    s.configurer().accept(b);
    FakeAws f = b.build().start();
    running.add(f);
    return new Running(f);
  }

  private Settings settings(ExtensionContext context) {
    if (programmatic != null) {
      return programmatic;
    }
    // The nearest class, from the test class outwards through enclosing @Nested classes,
    // that carries @WithFakeAws (directly or inherited from a superclass).
    Class<?> owner = null;
    WithFakeAws w = null;
    for (Class<?> c = context.getTestClass().orElse(null); c != null;
        c = isInner(c) ? c.getEnclosingClass() : null) {
      owner = c;
      w = c.getAnnotation(WithFakeAws.class);
      if (w != null) {
        break;
      }
    }
    if (w == null) {
      return new Settings(owner == null ? "fake" : owner, Lifecycle.PER_CLASS, true, b -> { });
    }
    WithFakeAws a = w;
    return new Settings(owner, a.lifecycle(), a.resetBeforeEach(),
        b -> b.region(a.region()).accountId(a.accountId()));
  }

  private static boolean isInner(Class<?> c) {
    return c.getEnclosingClass() != null && !java.lang.reflect.Modifier.isStatic(c.getModifiers());
  }

  /**
   * A fake as a store value: JUnit closes it with the store's context. It is both an
   * {@link AutoCloseable} (what JUnit 5.13+ closes) and a {@code CloseableResource} (closed even
   * when {@code junit.jupiter.extensions.store.close.autocloseable.enabled=false}).
   */
  @SuppressWarnings("deprecation")
  private final class Running implements ExtensionContext.Store.CloseableResource,
      AutoCloseable {
    final FakeAws fake;
    private boolean closed;

    Running(FakeAws fake) {
      this.fake = fake;
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        running.remove(fake);
        fake.close();
      }
    }

    @Override
    public String toString() {
      return "FakeAwsExtension resource " + fake;
    }
  }

  /** Configures a {@link FakeAwsExtension}. */
  public static final class Builder {
    private Lifecycle lifecycle = Lifecycle.PER_CLASS;
    private boolean resetBeforeEach = true;
    private Consumer<FakeAws.Builder> configurer = b -> { };

    private Builder() {}

    /**
     * Sets the lifecycle; default {@link Lifecycle#PER_CLASS}.
     *
     * @param lifecycle the lifecycle; default {@link Lifecycle#PER_CLASS}
     * @return this builder
     */
    public Builder lifecycle(Lifecycle lifecycle) {
      this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
      return this;
    }

    /**
     * Sets whether state is reset before each test of a per-class fake; default true.
     *
     * @param reset whether state is reset before each test of a per-class fake; default true
     * @return this builder
     */
    public Builder resetBeforeEach(boolean reset) {
      this.resetBeforeEach = reset;
      return this;
    }

    /**
     * Configures the fake itself (region, accounts, clock, issuer...): the configurer is run
     * on each new {@link FakeAws.Builder}, after those given before.
     *
     * @param configurer what to set on the fake's builder
     * @return this builder
     */
    public Builder configure(Consumer<FakeAws.Builder> configurer) {
      this.configurer = this.configurer.andThen(Objects.requireNonNull(configurer, "configurer"));
      return this;
    }

    /**
     * Sets the fake's region.
     *
     * @param region the AWS region, such as {@code us-east-1}
     * @return this builder
     */
    public Builder region(String region) {
      return configure(b -> b.region(region));
    }

    /**
     * Sets the fake's account id.
     *
     * @param accountId the 12-digit AWS account ID
     * @return this builder
     */
    public Builder accountId(String accountId) {
      return configure(b -> b.accountId(accountId));
    }

    /**
     * Returns the extension.
     *
     * @return the extension
     */
    public FakeAwsExtension build() {
      return new FakeAwsExtension(this);
    }
  }
}

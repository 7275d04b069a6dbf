package dev.oidcecr.policies.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.immutables.value.Value;

/**
 * The one Immutables style of the project: generated classes are package-private and hidden behind
 * the abstract value type, so public signatures show only {@code Foo}, {@code Foo.builder()} and
 * {@code Foo.Builder}.
 */
@Target({ElementType.PACKAGE, ElementType.TYPE})
@Retention(RetentionPolicy.CLASS)
@Value.Style(
    visibility = Value.Style.ImplementationVisibility.PACKAGE,
    overshadowImplementation = true,
    builderVisibility = Value.Style.BuilderVisibility.PACKAGE,
    jdkOnly = true,
    redactedMask = "<redacted>",
    defaults = @Value.Immutable(copy = false))
public @interface ValueStyle {}

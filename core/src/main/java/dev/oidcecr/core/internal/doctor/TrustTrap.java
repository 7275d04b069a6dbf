package dev.oidcecr.core.internal.doctor;

import java.util.Optional;
import java.util.Set;

/**
 * One documented way a trust policy that looks right refuses a token. Each trap is one small
 * class; {@link TrustTraps} lists them, so a profile adds traps without growing the doctor.
 * Messages speak Java (builder calls); the command line rewrites those into flags.
 */
public interface TrustTrap {
  /** Returns the profiles the trap concerns; empty for every profile. */
  Set<String> profiles();

  /** Returns the cause and the fix, when the trap applies to this token and policy. */
  Optional<String> explain(TrapContext context);
}

package dev.oidcecr.policies;

import java.util.ArrayList;
import java.util.List;

/**
 * A Principal (or NotPrincipal) element prepared for matching a request's principal.
 *
 * <p>An AWS principal given as an account id or {@code arn:<partition>:iam::<account>:root}
 * stands for every principal of that account; a role ARN also stands for that role's sessions
 * ({@code arn:<partition>:sts::<account>:assumed-role/<name>/<session>}); {@code *} stands for
 * everyone. Federated, Service and CanonicalUser values match exactly.
 */
final class PrincipalMatcher {
  private final boolean everyone;
  private final String[] accounts;
  private final String[] exact;
  private final String[] sessionPrefixes;
  private final String[] federated;

  private PrincipalMatcher(boolean everyone, List<String> accounts, List<String> exact,
      List<String> sessionPrefixes, List<String> federated) {
    this.everyone = everyone;
    this.accounts = accounts.toArray(new String[0]);
    this.exact = exact.toArray(new String[0]);
    this.sessionPrefixes = sessionPrefixes.toArray(new String[0]);
    this.federated = federated.toArray(new String[0]);
  }

  static PrincipalMatcher compile(Principal p) {
    boolean everyone = p.isWildcard();
    List<String> accounts = new ArrayList<>();
    List<String> exact = new ArrayList<>();
    List<String> sessions = new ArrayList<>();
    for (String aws : p.aws()) {
      if (aws.equals("*")) {
        everyone = true;
      } else if (isAccountId(aws)) {
        accounts.add(aws);
      } else {
        String[] parts = aws.split(":", 6);
        if (parts.length == 6 && parts[0].equals("arn") && parts[2].equals("iam")
            && parts[5].equals("root") && isAccountId(parts[4])) {
          accounts.add(parts[4]);
        } else {
          exact.add(aws);
          if (parts.length == 6 && parts[0].equals("arn") && parts[2].equals("iam")
              && parts[5].startsWith("role/")) {
            String path = parts[5];
            String name = path.substring(path.lastIndexOf('/') + 1);
            sessions.add("arn:" + parts[1] + ":sts::" + parts[4] + ":assumed-role/" + name + "/");
          }
        }
      }
    }
    exact.addAll(p.service());
    exact.addAll(p.canonicalUser());
    List<String> federated = new ArrayList<>(p.federated());
    if (federated.contains("*")) {
      everyone = true;
    }
    return new PrincipalMatcher(everyone, accounts, exact, sessions, federated);
  }

  /** Returns whether the principal ARN (or null) or the federated provider (or null) matches. */
  boolean matches(String principalArn, String federatedProvider) {
    if (everyone) {
      return true;
    }
    if (federatedProvider != null) {
      for (String f : federated) {
        if (f.equals(federatedProvider)) {
          return true;
        }
      }
    }
    if (principalArn == null) {
      return false;
    }
    for (String e : exact) {
      if (e.equals(principalArn)) {
        return true;
      }
    }
    for (String prefix : sessionPrefixes) {
      if (principalArn.startsWith(prefix) && principalArn.length() > prefix.length()) {
        return true;
      }
    }
    if (accounts.length > 0) {
      for (String account : accounts) {
        if (inAccount(principalArn, account)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean inAccount(String principalArn, String account) {
    if (principalArn.length() == 12) {
      return principalArn.equals(account);
    }
    if (!principalArn.startsWith("arn:")) {
      return false;
    }
    int from = 0;
    for (int i = 0; i < 4; i++) {
      from = principalArn.indexOf(':', from) + 1;
      if (from == 0) {
        return false;
      }
    }
    int end = principalArn.indexOf(':', from);
    return end - from == 12 && principalArn.regionMatches(from, account, 0, 12);
  }

  static boolean isAccountId(String s) {
    if (s.length() != 12) {
      return false;
    }
    for (int i = 0; i < 12; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}

package dev.oidcecr.policies;

import dev.oidcecr.policies.internal.Arns;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What every trust builder collects before the subject rules: the provider (issuer and account,
 * or provider ARN), the partition, the Sid and the audiences, each checked as it is set. The
 * builders differ only in the examples their messages give.
 */
final class TrustProvider {

  private static final Pattern SID = Pattern.compile("[A-Za-z0-9]+");

  private String issuer;
  private String account;
  private String providerArn;
  private String partition;
  private String sid;
  private final Set<String> audiences = new LinkedHashSet<>();

  TrustProvider(String issuer) {
    this.issuer = issuer;
  }

  void issuer(String issuerUrl) {
    Arns.issuerHostPath(Objects.requireNonNull(issuerUrl, "issuerUrl"));
    this.issuer = issuerUrl;
  }

  void account(String accountId) {
    this.account = Arns.account(Objects.requireNonNull(accountId, "accountId"));
  }

  void providerArn(String arn) {
    this.providerArn = Arns.oidcProviderArn(Objects.requireNonNull(arn, "arn")).arn();
  }

  void partition(String partition) {
    this.partition = Arns.partition(Objects.requireNonNull(partition, "partition"));
  }

  /** Sets the Sid; {@code example} is a valid one for the message. */
  void sid(String sid, String example) {
    Objects.requireNonNull(sid, "sid");
    if (!SID.matcher(sid).matches()) {
      throw new PolicyException("Invalid Sid \"" + sid
          + "\": IAM allows only letters and digits, such as " + example);
    }
    this.sid = sid;
  }

  /** Adds audiences; {@code what} names the value in the message, such as {@code audience}. */
  void audience(String[] values, String what) {
    for (String a : values) {
      Objects.requireNonNull(a, "audience");
      if (a.isBlank() || a.indexOf('*') >= 0 || a.indexOf('?') >= 0) {
        throw new PolicyException("Invalid audience \"" + a + "\": give the exact " + what
            + " the token is issued for, such as " + TrustPolicy.DEFAULT_AUDIENCE);
      }
      audiences.add(a);
    }
  }

  String issuer() {
    return issuer;
  }

  String sid() {
    return sid;
  }

  Set<String> audiences() {
    return audiences;
  }

  /**
   * Returns the provider from the issuer and account, or the provider ARN, checking they agree;
   * {@code example} shows the calls that give a provider.
   */
  Arns.ProviderArn provider(String example) {
    if (providerArn != null) {
      Arns.ProviderArn p = Arns.oidcProviderArn(providerArn);
      if (issuer != null && !Arns.issuerHostPath(issuer).equals(p.hostPath())) {
        throw new PolicyException("Issuer " + issuer + " does not match provider ARN "
            + providerArn + ": give one of them, or make them agree");
      }
      if (account != null && !account.equals(p.account())) {
        throw new PolicyException("Account " + account + " does not match provider ARN "
            + providerArn + ": the provider lives in account " + p.account());
      }
      if (partition != null && !partition.equals(p.partition())) {
        throw new PolicyException("Partition " + partition + " does not match provider ARN "
            + providerArn + ": drop partition(...) or fix the ARN");
      }
      return p;
    }
    if (issuer == null) {
      throw new PolicyException("No OIDC provider: call issuer(url) and account(id), such as "
          + example + ", or providerArn(arn)");
    }
    if (account == null) {
      throw new PolicyException("No account for issuer " + issuer + ": call account(id) with"
          + " the 12-digit account that holds the OIDC provider, or give providerArn(arn)");
    }
    return new Arns.ProviderArn(Optional.ofNullable(partition).orElse("aws"), account,
        Arns.issuerHostPath(issuer));
  }
}

package dev.oidcecr.core.internal.cli;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the command line prints, in command-line words and without secrets.
 *
 * <p>The library's messages speak to Java callers ({@code allowLintErrors(true)}); the command
 * line shows the same message with the flag or environment variable that does the same
 * ({@code --allow-lint-errors}). One message source, two audiences: the table below maps the
 * method calls that a message can name to their command-line words.
 *
 * <p>Every line written to standard error also passes {@link #redact(String)}, so that no log
 * level, of ours or of a library, prints a token, a password, a secret key or a session token.
 */
final class CliText {
  private CliText() {}

  /** Method calls named by library messages, and the command line's words for them. */
  private static final List<Map.Entry<String, String>> VOCABULARY = List.of(
      Map.entry(" (given to AwsSetup trust(...))", ""),
      Map.entry("call audience(\"...\") with the aud your tokens carry (it becomes the"
          + " provider's client id)", "pass --audience AUD with the aud your tokens carry (it"
          + " becomes the provider's client id)"),
      Map.entry("or allowSubject(pattern)", "or --allow-subject PATTERN"),
      Map.entry("use allowRepository(url) instead of a raw subject pattern",
          "use --allow-repository URL instead of a raw subject pattern"),
      Map.entry("or call allowLintErrors(true) to apply it anyway",
          "or add --allow-lint-errors to apply it anyway"),
      Map.entry("allowLintErrors(true)", "--allow-lint-errors"),
      Map.entry("allowRepository(url)", "--allow-repository URL"),
      Map.entry("allowOrganization(url)", "--allow-organization URL"),
      Map.entry("allowOrganization(id)", "--allow-organization URL"),
      Map.entry("(AwsSetup repositories(...))", "(oidc-ecr setup --repository NAME)"),
      Map.entry("fix the name given to repositories(...)", "fix the name given to --repository"),
      Map.entry("repositories(...)", "--repository NAME"),
      Map.entry("use subjectPattern(...) for", "write a --trust-policy FILE for"),
      Map.entry("Add repository(url), contextUrl(url), organization(url) or"
          + " subjectPattern(pattern), or call anySubject() to allow",
          "Add --allow-repository URL or --allow-organization URL, or write a --trust-policy FILE"
              + " to allow"),
      Map.entry("use issuer(url) for a", "use --issuer-url URL for a"),
      Map.entry("the permissions of AwsSetup.requiredPermissions()",
          "the permissions listed in the README, \"Set up AWS for your Gitpod installation\""),
      Map.entry("give it the policy AwsSetup.requiredPermissions() returns",
          "give it the permissions listed in the README, \"Set up AWS for your Gitpod"
              + " installation\""),
      Map.entry("(AwsSetup does this)", "(`oidc-ecr setup --apply` does this)"),
      Map.entry("(PermissionPolicy.builder() writes it)", "(`oidc-ecr setup --apply` writes it)"),
      Map.entry("(TrustPolicy.builder().repository(url) writes it)",
          "(`oidc-ecr setup --allow-repository URL` writes it)"),
      Map.entry("No IAM client and no trust policy given:",
          "No AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY):"),
      Map.entry("No IAM client and no permission policy given:",
          "No AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY):"),
      Map.entry("No IAM client given:",
          "No AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY):"),
      Map.entry("call region(\"eu-west-1\") with the region of the ECR repositories, or give an"
          + " ecrClient(...) built for that region",
          "pass --region with the region of the ECR repositories, such as eu-west-1"),
      Map.entry("call accountId(\"123456789012\") with the account of the role, or give"
          + " stsClient(...) to discover it",
          "pass --account with the account of the role, or give AWS credentials so that STS"
              + " names it"),
      Map.entry("retryDeadline(Duration)", "OIDC_ECR_TIMEOUT, in seconds"),
      Map.entry("roleArn(...) is required", "--role-arn (or OIDC_ECR_ROLE_ARN) is required"),
      Map.entry("registry(...) or accountId(...) with region(...) is required",
          "--registry (or OIDC_ECR_REGISTRY) is required"));

  /** Returns {@code text} with every method call the table knows in command-line words. */
  static String toCli(String text) {
    if (text.indexOf('(') < 0) {
      return text;
    }
    String out = ProfileFlags.toFlags(text);
    for (Map.Entry<String, String> e : VOCABULARY) {
      if (out.contains(e.getKey())) {
        out = out.replace(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  private static final String HIDDEN = "<redacted>";

  /**
   * Secrets as they appear in logs: headers and query parameters ({@code x-amz-security-token},
   * {@code Authorization}), XML and JSON fields of STS, ECR and Docker answers, and JWTs.
   */
  private static final List<Pattern> SECRETS = List.of(
      // x-amz-security-token:VALUE (canonical request), X-Amz-Security-Token=VALUE (query).
      Pattern.compile("(?i)(x-amz-security-token\\s*[:=]\\s*)([^\\s&,;\"]+)"),
      Pattern.compile("(?i)(authorization\\s*[:=]\\s*(?:basic|bearer)\\s+)([^\\s,;\"]+)"),
      // <SessionToken>..</SessionToken>, "secretAccessKey":"..", password=.., Secret: ..
      Pattern.compile("(?i)((?:session_?token|secret_?access_?key|secret_?key|password|secret"
          + "|authorization_?token|web_?identity_?token|identity_?token|registry_?token|\"auth\")"
          + "\"?\\s*(?:>|=|:|\":)\\s*\"?)([^\\s\"<&,;)}]+)"),
      // A JWT: header.payload.signature, each base64url; the header starts with {" = eyJ.
      Pattern.compile("()(eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*)"));

  /** Returns {@code line} with every secret the patterns know replaced by a placeholder. */
  static String redact(String line) {
    String out = line;
    for (Pattern p : SECRETS) {
      Matcher m = p.matcher(out);
      if (m.find()) {
        out = m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + HIDDEN));
      }
    }
    return out;
  }
}

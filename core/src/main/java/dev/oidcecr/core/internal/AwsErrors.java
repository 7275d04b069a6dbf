package dev.oidcecr.core.internal;

import dev.oidcecr.core.AccessDeniedException;
import dev.oidcecr.core.EcrAuthorizationException;
import dev.oidcecr.core.EcrRegistry;
import dev.oidcecr.core.OidcEcrException;
import dev.oidcecr.core.StsAuthenticationException;
import dev.oidcecr.core.WebIdentityToken;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns the SDK's STS and ECR failures into exceptions whose messages say what to check. AWS's
 * own message is kept (it never holds a secret); the token itself never appears, only its
 * issuer, subject, audience and expiry.
 */
public final class AwsErrors {
  private AwsErrors() {}

  /** Translates a failed {@code AssumeRoleWithWebIdentity}. */
  public static OidcEcrException translateSts(SdkException e, String roleArn,
      WebIdentityToken token, Clock clock) {
    return translateSts(e, roleArn, token, clock, "the STS endpoint", null);
  }

  /**
   * Translates a failed {@code AssumeRoleWithWebIdentity} sent to {@code endpoint} within an
   * operation that may take {@code deadline} (or {@code null} when unknown).
   */
  public static OidcEcrException translateSts(SdkException e, String roleArn,
      WebIdentityToken token, Clock clock, String endpoint, Duration deadline) {
    String notAws = notAnAwsAnswer(e, "STS AssumeRoleWithWebIdentity", endpoint, deadline);
    if (notAws != null) {
      return new StsAuthenticationException(notAws, e, null, requestId(e));
    }
    String code = code(e);
    String requestId = requestId(e);
    String awsMessage = awsMessage(e);
    String iss = token.issuer().orElse("(no iss claim)");
    String sub = token.subject().orElse("(no sub claim)");
    String aud = String.join(", ", token.audiences());
    String tokenFacts = " The token has iss=" + iss + ", sub=" + sub + ", aud=[" + aud + "].";
    String msg;
    if (code == null) {
      msg = "Could not reach STS to assume " + roleArn + ": " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " (" + firstLine(e.getMessage()) + ")")
          + ". Check the network, the proxy settings and the STS endpoint.";
      return new StsAuthenticationException(msg, e, null, null);
    }
    switch (code) {
      case "AccessDenied":
        msg = "STS refused to let this token assume " + roleArn + " (" + awsMessage + ")."
            + tokenFacts + " Check that the role exists and that its trust policy allows"
            + " sts:AssumeRoleWithWebIdentity for the provider of " + iss + " with conditions on "
            + conditionKey(iss, "sub") + " that match sub=" + sub + " and on "
            + conditionKey(iss, "aud") + " that match aud=[" + aud + "]; `oidc-ecr doctor`"
            + " names the condition that fails.";
        break;
      case "InvalidIdentityToken":
        if (awsMessage.contains("audience")) {
          msg = "STS rejected the token's audience [" + aud + "] (" + awsMessage + ")."
              + " Add it to the client IDs of the IAM OIDC provider for " + iss + " in the role's"
              + " account, or request a token for that audience (gp idp token --audience"
              + " sts.amazonaws.com).";
        } else if (awsMessage.contains("No OpenIDConnect provider")) {
          msg = "The role's account has no IAM OIDC provider for issuer " + iss + " ("
              + awsMessage + "). Create one with URL " + iss + " and client ID"
              + " sts.amazonaws.com (AwsSetup does this), or check that the token comes from"
              + " the Gitpod installation the provider was made for.";
        } else if (awsMessage.contains("verification key")) {
          msg = "STS could not verify the token's signature with the keys published by " + iss
              + " (" + awsMessage + "). The issuer may have rotated its key: fetch a fresh"
              + " token and check that " + iss + "/keys is reachable from AWS.";
        } else {
          msg = "STS rejected the web identity token (" + awsMessage + ")." + tokenFacts
              + " Check that it is the raw JWT from `gp idp token --audience"
              + " sts.amazonaws.com`.";
        }
        break;
      case "ExpiredTokenException":
      case "ExpiredToken":
        Instant now = clock.instant();
        msg = "STS says the web identity token has expired (" + awsMessage + "): it expired at "
            + token.expiresAt() + " and this machine's clock says " + now + " ("
            + describeDelta(Duration.between(token.expiresAt(), now)) + "). Fetch a fresh"
            + " token (gp idp token --audience sts.amazonaws.com) and check the clock (NTP).";
        break;
      case "IDPCommunicationError":
        msg = "STS could not reach the identity provider " + iss + " to verify the token ("
            + awsMessage + "). Check that " + iss + "/.well-known/openid-configuration and its"
            + " keys are reachable from the internet, then try again.";
        break;
      case "ValidationError":
        msg = "STS rejected the request to assume " + roleArn + " (" + awsMessage + ")."
            + " Check the session duration (at most the role's MaxSessionDuration) and the"
            + " session name (2-64 characters of letters, digits and +=,.@_-).";
        break;
      case "RegionDisabledException":
        msg = "STS is not activated in this region (" + awsMessage + "). Use another region's"
            + " STS endpoint or activate it in the account settings.";
        break;
      default:
        msg = "STS failed to assume " + roleArn + " with code " + code + " (" + awsMessage
            + ")." + tokenFacts;
    }
    return new StsAuthenticationException(msg, e, code, requestId);
  }

  /** Translates a failed {@code GetAuthorizationToken}. */
  public static OidcEcrException translateEcr(SdkException e, String roleArn,
      EcrRegistry registry) {
    return translateEcr(e, roleArn, registry, "the ECR endpoint", null);
  }

  /**
   * Translates a failed {@code GetAuthorizationToken} sent to {@code endpoint} within an
   * operation that may take {@code deadline} (or {@code null} when unknown).
   */
  public static OidcEcrException translateEcr(SdkException e, String roleArn,
      EcrRegistry registry, String endpoint, Duration deadline) {
    String notAws = notAnAwsAnswer(e, "ECR GetAuthorizationToken", endpoint, deadline);
    if (notAws != null) {
      return new EcrAuthorizationException(notAws, e, null, requestId(e));
    }
    String code = code(e);
    String requestId = requestId(e);
    String awsMessage = awsMessage(e);
    if (code == null) {
      return new EcrAuthorizationException("Could not reach ECR for " + registry.host() + ": "
          + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " (" + firstLine(e.getMessage()) + ")")
          + ". Check the network, the proxy settings and the ECR endpoint.", e, null, null);
    }
    if (code.equals("AccessDeniedException") || code.equals("AccessDenied")) {
      return new AccessDeniedException("ECR refused GetAuthorizationToken to role " + roleArn
          + " (" + awsMessage + "). Add ecr:GetAuthorizationToken on Resource \"*\" to the"
          + " role's permission policy (PermissionPolicy.builder() writes it), and the pull"
          + " actions on the repositories of " + registry.host() + ".", e, code, requestId);
    }
    if (code.equals("ExpiredTokenException") || code.equals("UnrecognizedClientException")
        || code.equals("InvalidSignatureException")) {
      return new EcrAuthorizationException("ECR did not accept the role session of " + roleArn
          + " (" + code + ": " + awsMessage + "). The session may have expired or been made"
          + " for another endpoint: authenticate again.", e, code, requestId);
    }
    return new EcrAuthorizationException("ECR failed to issue a token for " + registry.host()
        + " with code " + code + " (" + awsMessage + ").", e, code, requestId);
  }

  /**
   * Describes a failure that is not AWS refusing: a call cut off by the deadline, or an HTTP
   * answer without an AWS error code (a proxy's deny page, a wrong endpoint's 404). Returns
   * {@code null} for anything else.
   */
  public static String notAnAwsAnswer(SdkException e, String call, String endpoint,
      Duration deadline) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException) {
        return call + " to " + endpoint + " was cut off: it did not finish within the "
            + (deadline == null ? "" : deadline.toSeconds() + " s ") + "deadline of the whole"
            + " operation (connection, answer and retries). Check the network, any proxy in"
            + " between and the endpoint URL, or allow more time (retryDeadline(Duration)).";
      }
    }
    if (e instanceof AwsServiceException && code(e) == null) {
      AwsServiceException ase = (AwsServiceException) e;
      int status = ase.statusCode();
      String type = ase.awsErrorDetails() == null || ase.awsErrorDetails().sdkHttpResponse() == null
          ? "" : ase.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Content-Type")
              .map(c -> " (" + c.toLowerCase(Locale.ROOT) + ")").orElse("");
      String what = call + " to " + endpoint + " got HTTP " + status + type + " without an AWS"
          + " error code: something other than AWS answered. ";
      if (status == 407) {
        return what + "A proxy asks for credentials: check the proxy settings (HTTPS_PROXY,"
            + " HTTP_PROXY, NO_PROXY) and the proxy's user and password.";
      }
      return what + "Check the endpoint URL (AWS_ENDPOINT_URL and the per-service"
          + " AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_ECR) and any proxy between this machine"
          + " and AWS (HTTPS_PROXY, NO_PROXY).";
    }
    return null;
  }

  /** Returns the IAM condition key for a claim of tokens from this issuer. */
  public static String conditionKey(String issuer, String claim) {
    String hostPath = issuer.replaceFirst("^https?://", "");
    while (hostPath.endsWith("/")) {
      hostPath = hostPath.substring(0, hostPath.length() - 1);
    }
    return hostPath + ":" + claim;
  }

  private static String code(SdkException e) {
    if (e instanceof AwsServiceException && ((AwsServiceException) e).awsErrorDetails() != null) {
      return ((AwsServiceException) e).awsErrorDetails().errorCode();
    }
    return null;
  }

  private static String requestId(SdkException e) {
    return e instanceof AwsServiceException ? ((AwsServiceException) e).requestId() : null;
  }

  private static String awsMessage(SdkException e) {
    if (e instanceof AwsServiceException && ((AwsServiceException) e).awsErrorDetails() != null) {
      String m = ((AwsServiceException) e).awsErrorDetails().errorMessage();
      return m == null ? "no message" : m;
    }
    return firstLine(String.valueOf(e.getMessage()));
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static String describeDelta(Duration d) {
    if (d.isNegative()) {
      return "it is still valid for " + d.negated().toSeconds() + " s by this clock, so the"
          + " clocks disagree";
    }
    return "expired " + d.toSeconds() + " s ago";
  }
}

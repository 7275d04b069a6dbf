package dev.oidcecr.testing;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One call the fake answered (or, for a {@link Fault.Hang}, received), as kept in its capped
 * journal. Holds no body, and its headers are redacted: {@code Authorization} keeps its scheme
 * and, for SigV4, the credential scope and signed headers, never the signature or a password;
 * security tokens, cookies and any header named like a token, secret or password read
 * {@value #REDACTED}.
 */
public final class RecordedCall {
  /** What a redacted header value (or part of one) reads. */
  public static final String REDACTED = "<redacted>";

  private static final Pattern SIGV4 = Pattern.compile(
      "(AWS4-HMAC-SHA256\\s+Credential=[A-Za-z0-9]+/[^,\\s]+,\\s*SignedHeaders=[^,\\s]+,\\s*"
          + "Signature=)\\S+");

  private final Instant time;
  private final String service;
  private final String operation;
  private final String method;
  private final String path;
  private final Map<String, List<String>> headers;
  private final int status;
  private final String errorCode;
  private final String accessKeyId;
  private final String identity;
  private final Fault fault;

  /**
   * Creates an entry without request details (no method, path, headers, identity or fault).
   *
   * @param time when the call was answered
   * @param service the service, such as {@code sts}; see {@link #service()}
   * @param operation the operation without its service, such as
   *     {@code AssumeRoleWithWebIdentity}
   * @param status the HTTP status of the answer; 0 when there was none
   * @param errorCode the error code of a failed call, empty when it succeeded
   * @param accessKeyId the access key id that signed the call, empty when unsigned
   */
  public RecordedCall(Instant time, String service, String operation, int status,
      String errorCode, String accessKeyId) {
    this(time, service, operation, "", "", Map.of(), status, errorCode, accessKeyId, "", null);
  }

  /**
   * Creates an entry, redacting the headers (see the class description).
   *
   * @param time when the call was answered (for a hung call, received)
   * @param service the service, such as {@code sts}; see {@link #service()}
   * @param operation the operation without its service, such as
   *     {@code AssumeRoleWithWebIdentity}; see {@link #operation()}
   * @param method the HTTP method, such as {@code POST}
   * @param path the request path without the query
   * @param headers the request headers as received, any case; secrets are redacted here
   * @param status the HTTP status of the answer; 0 when a fault left the call without one
   * @param errorCode the error code of a failed call, empty when it succeeded
   * @param accessKeyId the access key id that signed the call, empty when unsigned
   * @param identity who made the call (see {@link #identity()}), empty when not recognised
   * @param fault the fault injected into the call, or null when none was
   */
  public RecordedCall(Instant time, String service, String operation, String method,
      String path, Map<String, List<String>> headers, int status, String errorCode,
      String accessKeyId, String identity, Fault fault) {
    this.time = time;
    this.service = service;
    this.operation = operation;
    this.method = method;
    this.path = path;
    this.headers = redact(headers);
    this.status = status;
    this.errorCode = errorCode;
    this.accessKeyId = accessKeyId;
    this.identity = identity;
    this.fault = fault;
  }

  private static Map<String, List<String>> redact(Map<String, List<String>> raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    raw.forEach((name, values) -> {
      String n = name.toLowerCase(Locale.ROOT);
      out.put(n, values.stream().map(v -> redact(n, v)).toList());
    });
    return java.util.Collections.unmodifiableMap(out);
  }

  private static String redact(String name, String value) {
    if (name.equals("authorization") || name.equals("proxy-authorization")) {
      Matcher m = SIGV4.matcher(value);
      if (m.matches()) {
        return m.group(1) + REDACTED;
      }
      int space = value.indexOf(' ');
      return space > 0 ? value.substring(0, space) + " " + REDACTED : REDACTED;
    }
    if (name.contains("token") || name.contains("secret") || name.contains("password")
        || name.contains("cookie") || name.contains("credential") || name.contains("api-key")) {
      return REDACTED;
    }
    return value;
  }

  /**
   * Returns when the call was answered (for a hung call, received), by the fake's clock.
   *
   * @return the time of the call
   */
  public Instant time() {
    return time;
  }

  /**
   * Returns the service: {@code sts}, {@code ecr}, {@code iam}, {@code registry}, {@code admin}
   * (the fake's own {@code /_fake/} endpoints) or {@code none} (a path the fake does not serve).
   *
   * @return the service name, lower case
   */
  public String service() {
    return service;
  }

  /**
   * Returns the operation without its service: the AWS action ({@code GetAuthorizationToken},
   * {@code AssumeRoleWithWebIdentity}), or for the registry the method and the kind of
   * resource ({@code GET /v2/}, {@code GET manifest}, {@code HEAD blob},
   * {@code POST blob upload}, {@code GET tags}, {@code GET catalog}).
   *
   * @return the operation name
   */
  public String operation() {
    return operation;
  }

  /**
   * Returns {@code service:operation}, such as {@code sts:AssumeRoleWithWebIdentity},
   * {@code ecr:GetAuthorizationToken} or {@code registry:GET manifest}: the names
   * {@link FakeAws#failNext(String, int, Fault)} takes.
   *
   * @return the service and operation joined by {@code :}
   */
  public String qualifiedOperation() {
    return service + ":" + operation;
  }

  /**
   * Returns the HTTP method, such as {@code POST}.
   *
   * @return the method; empty for an entry made without request details
   */
  public String method() {
    return method;
  }

  /**
   * Returns the request path without the query, such as {@code /} or
   * {@code /v2/app/manifests/1}.
   *
   * @return the path; empty for an entry made without request details
   */
  public String path() {
    return path;
  }

  /**
   * Returns the request headers, names lower-cased, secrets redacted.
   *
   * @return an unmodifiable map of header names to their values, in the order received
   */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /**
   * Returns the first value of a header, redacted like {@link #headers()}.
   *
   * @param name the header name, in any case
   * @return the first value, or empty when the request had no such header
   */
  public Optional<String> header(String name) {
    List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  /**
   * Returns the HTTP status of the answer.
   *
   * @return the status; 0 when a fault (a reset or a hang) left the call without one
   */
  public int status() {
    return status;
  }

  /**
   * Returns the AWS (or registry) error code of a failed call, such as {@code AccessDenied}
   * or {@code DENIED}.
   *
   * @return the error code, or empty when the call succeeded
   */
  public Optional<String> errorCode() {
    return errorCode.isEmpty() ? Optional.empty() : Optional.of(errorCode);
  }

  /**
   * Returns the access key id that signed the call (it is not a secret).
   *
   * @return the access key id, or empty for an unsigned call
   */
  public Optional<String> accessKeyId() {
    return accessKeyId.isEmpty() ? Optional.empty() : Optional.of(accessKeyId);
  }

  /**
   * Returns who made the call: the assumed-role session ARN
   * ({@code arn:aws:sts::123456789012:assumed-role/Role/session}) of a role session, or the
   * admin's access key id. A registry call is the identity its ECR password was issued to; an
   * {@code AssumeRoleWithWebIdentity} call is the session it created.
   *
   * @return the caller, or empty for calls whose caller was not recognised
   */
  public Optional<String> identity() {
    return identity.isEmpty() ? Optional.empty() : Optional.of(identity);
  }

  /**
   * Returns the fault injected into this call.
   *
   * @return the fault, or empty when the call was answered normally
   */
  public Optional<Fault> fault() {
    return Optional.ofNullable(fault);
  }

  @Override
  public String toString() {
    return time + " " + service + ":" + operation
        + (method.isEmpty() ? "" : " (" + method + " " + path + ")") + " -> " + status
        + (errorCode.isEmpty() ? "" : " " + errorCode)
        + (identity.isEmpty() ? (accessKeyId.isEmpty() ? "" : " by " + accessKeyId)
            : " by " + identity)
        + (fault == null ? "" : " [injected " + fault + "]");
  }
}

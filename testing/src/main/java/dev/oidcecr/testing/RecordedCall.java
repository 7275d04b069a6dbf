package dev.oidcecr.testing;

import java.time.Instant;
import java.util.Optional;

/**
 * One call the fake answered, as kept in its capped journal. Holds no body, token or secret.
 */
public final class RecordedCall {
  private final Instant time;
  private final String service;
  private final String operation;
  private final int status;
  private final String errorCode;
  private final String accessKeyId;

  /** Creates an entry; {@code errorCode} and {@code accessKeyId} are empty when absent. */
  public RecordedCall(Instant time, String service, String operation, int status,
      String errorCode, String accessKeyId) {
    this.time = time;
    this.service = service;
    this.operation = operation;
    this.status = status;
    this.errorCode = errorCode;
    this.accessKeyId = accessKeyId;
  }

  /** Returns when the call was answered. */
  public Instant time() {
    return time;
  }

  /** Returns the service: {@code sts}, {@code ecr}, {@code iam}, {@code registry} or {@code admin}. */
  public String service() {
    return service;
  }

  /** Returns the operation, such as {@code GetAuthorizationToken} or {@code GET /v2/}. */
  public String operation() {
    return operation;
  }

  /** Returns the HTTP status of the answer. */
  public int status() {
    return status;
  }

  /** Returns the AWS error code of a failed call. */
  public Optional<String> errorCode() {
    return errorCode.isEmpty() ? Optional.empty() : Optional.of(errorCode);
  }

  /** Returns the access key id that signed the call, if it was signed. */
  public Optional<String> accessKeyId() {
    return accessKeyId.isEmpty() ? Optional.empty() : Optional.of(accessKeyId);
  }

  @Override
  public String toString() {
    return time + " " + service + " " + operation + " -> " + status
        + (errorCode.isEmpty() ? "" : " " + errorCode)
        + (accessKeyId.isEmpty() ? "" : " by " + accessKeyId);
  }
}

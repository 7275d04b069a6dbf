package dev.oidcecr.core.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 for a request with a body and no query string, written from AWS's
 * public description of the algorithm: "Create a signed AWS API request"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html) and "Signature
 * Version 4 signing process" (https://docs.aws.amazon.com/general/latest/gr/sigv4_signing.html).
 *
 * <ol>
 *   <li>Canonical request: method, canonical URI, canonical query string (empty here), the
 *       canonical headers (lower-case names, sorted, values trimmed with inner runs of spaces
 *       folded to one, each line ending in a newline), the signed header names joined by
 *       {@code ;}, and the hex SHA-256 of the payload, separated by newlines.</li>
 *   <li>String to sign: {@code AWS4-HMAC-SHA256}, the request time {@code YYYYMMDD'T'HHMMSS'Z'},
 *       the credential scope {@code YYYYMMDD/region/service/aws4_request} and the hex SHA-256 of
 *       the canonical request.</li>
 *   <li>Signing key: HMAC-SHA256 chained over {@code "AWS4" + secret}, the date, the region, the
 *       service and {@code aws4_request}; the signature is the hex HMAC of the string to sign.</li>
 *   <li>{@code Authorization: AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=...,
 *       Signature=...}; temporary credentials add {@code X-Amz-Security-Token}, signed too.</li>
 * </ol>
 */
public final class SigV4Signer {
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private SigV4Signer() {}

  /**
   * Returns the headers to send: {@code headers} (which must hold {@code host}) plus
   * {@code X-Amz-Date}, {@code X-Amz-Security-Token} when {@code sessionToken} is not null, and
   * {@code Authorization}; every one of them but {@code Authorization} is signed.
   */
  public static Map<String, String> sign(String method, String canonicalUri,
      Map<String, String> headers, byte[] payload, String accessKeyId, String secretAccessKey,
      String sessionToken, String region, String service, Instant now) {
    String amzDate = AMZ_DATE.format(now);
    String date = amzDate.substring(0, 8);
    TreeMap<String, String> canonical = new TreeMap<>();
    headers.forEach((k, v) -> canonical.put(k.toLowerCase(Locale.ROOT), v));
    canonical.put("x-amz-date", amzDate);
    if (sessionToken != null) {
      canonical.put("x-amz-security-token", sessionToken);
    }
    StringBuilder req = new StringBuilder(512);
    req.append(method).append('\n').append(canonicalUri).append('\n').append('\n');
    for (Map.Entry<String, String> h : canonical.entrySet()) {
      req.append(h.getKey()).append(':').append(foldSpaces(h.getValue())).append('\n');
    }
    req.append('\n');
    String signedHeaders = String.join(";", canonical.keySet());
    req.append(signedHeaders).append('\n').append(hex(sha256(payload)));
    String scope = date + "/" + region + "/" + service + "/aws4_request";
    String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
        + hex(sha256(req.toString().getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8), date);
    key = hmac(key, region);
    key = hmac(key, service);
    key = hmac(key, "aws4_request");
    String signature = hex(hmac(key, toSign));
    TreeMap<String, String> out = new TreeMap<>(canonical);
    out.put("authorization", "AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/" + scope
        + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature);
    return out;
  }

  /** Trims and folds each run of spaces to one, as the canonical header value wants. */
  static String foldSpaces(String value) {
    String v = value.strip();
    if (v.indexOf("  ") < 0 && v.indexOf('\t') < 0) {
      return v;
    }
    return v.replaceAll("\\s+", " ");
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("This JDK has no SHA-256", e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("This JDK has no HmacSHA256", e);
    }
  }

  static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bytes[i] & 0xf];
    }
    return new String(out);
  }
}

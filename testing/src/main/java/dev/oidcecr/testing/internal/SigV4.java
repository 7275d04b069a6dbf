package dev.oidcecr.testing.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks an AWS Signature Version 4 {@code Authorization} header against the caller's secret
 * key, so that a client signing with the wrong secret fails as it would against AWS.
 */
final class SigV4 {
  private static final Pattern AUTH = Pattern.compile(
      "AWS4-HMAC-SHA256\\s+Credential=([^/\\s]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request,\\s*"
          + "SignedHeaders=([^,\\s]+),\\s*Signature=([0-9a-f]{64})");

  private SigV4() {}

  private static final Pattern AMZ_DATE = Pattern.compile("\\d{8}T\\d{6}Z");

  /** Returns whether the signature verifies; a header it cannot read does not verify. */
  static boolean verifies(HttpCall call, String secretAccessKey) {
    return verifies(call, secretAccessKey, null);
  }

  /**
   * Returns whether the signature verifies for a call to {@code service} (any service when
   * {@code null}). As AWS requires: the signed headers are lower-case and sorted and include
   * {@code host}, {@code x-amz-date} and, when sent, {@code x-amz-security-token}; the credential
   * scope's date is the day of {@code X-Amz-Date}, its service the one called.
   */
  static boolean verifies(HttpCall call, String secretAccessKey, String service) {
    Matcher m = AUTH.matcher(call.header("authorization").orElse(""));
    if (!m.find()) {
      return false;
    }
    String date = m.group(2);
    String scope = date + "/" + m.group(3) + "/" + m.group(4) + "/aws4_request";
    String[] signed = m.group(5).split(";");
    String signature = m.group(6);
    String amzDate = call.header("x-amz-date").orElse("");
    if (!AMZ_DATE.matcher(amzDate).matches() || !amzDate.startsWith(date)
        || (service != null && !service.equals(m.group(4)))) {
      return false;
    }
    List<String> names = List.of(signed);
    if (!names.contains("host") || !names.contains("x-amz-date")
        || (call.header("x-amz-security-token").isPresent()
            && !names.contains("x-amz-security-token"))) {
      return false;
    }
    for (int i = 0; i < signed.length; i++) {
      if (!signed[i].equals(signed[i].toLowerCase(java.util.Locale.ROOT))
          || (i > 0 && signed[i - 1].compareTo(signed[i]) >= 0)) {
        return false;
      }
    }
    byte[] key = signingKey(secretAccessKey, date, m.group(3), m.group(4));
    for (String contentType : contentTypeVariants(call)) {
      String expected = sign(call, signed, m.group(5), contentType, amzDate, scope, key);
      if (MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
          signature.getBytes(StandardCharsets.US_ASCII))) {
        return true;
      }
    }
    return false;
  }

  // Jetty upper-cases "charset=utf-8" in Content-Type before the fake sees it; botocore sends
  // it lower-case, the Java SDK upper-case, so both spellings are tried.
  private static List<String> contentTypeVariants(HttpCall call) {
    List<String> out = new ArrayList<>();
    String ct = call.header("content-type").orElse("");
    out.add(ct);
    if (ct.contains("charset=UTF-8")) {
      out.add(ct.replace("charset=UTF-8", "charset=utf-8"));
    }
    return out;
  }

  private static String sign(HttpCall call, String[] signed, String signedHeaders,
      String contentType, String amzDate, String scope, byte[] key) {
    StringBuilder canonical = new StringBuilder();
    canonical.append(call.method()).append('\n')
        .append(call.path().isEmpty() ? "/" : call.path()).append('\n')
        .append('\n');
    for (String name : signed) {
      String value;
      if (name.equals("content-type")) {
        value = contentType;
      } else {
        List<String> values = call.headers().getOrDefault(name, List.of());
        value = String.join(",", values);
      }
      canonical.append(name).append(':').append(value.trim().replaceAll("\\s+", " "))
          .append('\n');
    }
    canonical.append('\n').append(signedHeaders).append('\n').append(hex(sha256(call.body())));
    String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
        + hex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    return hex(hmac(key, toSign));
  }

  private static byte[] signingKey(String secret, String date, String region, String service) {
    byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
    k = hmac(k, region);
    k = hmac(k, service);
    return hmac(k, "aws4_request");
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}

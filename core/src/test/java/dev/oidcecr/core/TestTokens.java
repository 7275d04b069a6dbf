package dev.oidcecr.core;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/** Builds unsigned-but-well-formed JWTs for tests; the signature is random-looking filler. */
final class TestTokens {
  static final String SIGNATURE = "c2lnbmF0dXJlLW5vdC1jaGVja2VkLWhlcmUtX0FCQy1kZWY";

  private TestTokens() {}

  static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  static String jwt(String headerJson, String payloadJson) {
    return b64(headerJson) + "." + b64(payloadJson) + "." + SIGNATURE;
  }

  /** A token shaped like Gitpod's, expiring at {@code exp}. */
  static String gitpod(Instant exp) {
    long iat = exp.getEpochSecond() - 3600;
    return jwt(
        "{\"alg\":\"RS256\",\"kid\":\"id-0123abcd\",\"typ\":\"JWT\"}",
        """
        {"iss":"https://services.gitpod.example.com/idp",
         "aud":["sts.amazonaws.com"],"azp":"sts.amazonaws.com",
         "exp":%d,"iat":%d,"auth_time":%d,
         "sub":"https://github.com/acme/app","name":"Ada","email":"ada@example.com",
         "email_verified":false,"user_id":"u-1","org_id":"o-2","workspace_id":"acme-app-xyz",
         "repository":"https://github.com/acme/app.git","context":{"ref":"main"}}
        """
            .formatted(exp.getEpochSecond(), iat, iat));
  }

  static String gitpod() {
    return gitpod(Instant.parse("2030-01-01T00:00:00Z"));
  }
}

package dev.oidcecr.testing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * An image the fake ECR holds, as {@link FakeAws#images(String)} lists it: what a tool under test
 * pushed, or what a test seeded.
 *
 * @param digest the manifest digest, {@code sha256:<hex>}
 * @param tags the tags pointing at it, sorted; empty for an untagged image
 * @param mediaType the manifest's media type, such as
 *     {@code application/vnd.oci.image.manifest.v1+json}
 * @param manifest the manifest exactly as pushed
 * @param sizeInBytes the sum of the config and layer sizes the manifest declares (ECR's
 *     {@code imageSizeInBytes})
 * @param pushedAt when it was first pushed, by the fake's clock
 */
public record StoredImage(String digest, List<String> tags, String mediaType, String manifest,
    long sizeInBytes, Instant pushedAt) {

  static StoredImage of(String digest, List<String> tags, String mediaType, byte[] manifest,
      long size, Instant pushedAt) {
    return new StoredImage(digest, List.copyOf(tags), mediaType,
        new String(manifest, StandardCharsets.UTF_8), size, pushedAt);
  }
}

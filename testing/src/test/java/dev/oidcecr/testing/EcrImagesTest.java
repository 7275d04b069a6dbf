package dev.oidcecr.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ecr.model.ImageAlreadyExistsException;
import software.amazon.awssdk.services.ecr.model.ImageDetail;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;
import software.amazon.awssdk.services.ecr.model.ImageTagAlreadyExistsException;
import software.amazon.awssdk.services.ecr.model.ImageTagMutability;
import software.amazon.awssdk.services.ecr.model.InvalidLayerException;
import software.amazon.awssdk.services.ecr.model.LayerAvailability;
import software.amazon.awssdk.services.ecr.model.LayersNotFoundException;
import software.amazon.awssdk.services.ecr.model.TagStatus;
import software.amazon.awssdk.services.ecr.model.UploadNotFoundException;
import software.amazon.awssdk.services.sts.model.Credentials;

/** ECR's image and layer APIs with the real SDK, on the store the registry API uses. */
class EcrImagesTest extends SharedFakeTest {

  private static String config() {
    return "{\"architecture\":\"amd64\",\"os\":\"linux\"}";
  }

  /** Uploads a layer with the three layer calls and returns its digest. */
  private static String upload(EcrClient ecr, String repo, byte[] content) throws Exception {
    String id = ecr.initiateLayerUpload(r -> r.repositoryName(repo)).uploadId();
    int half = content.length / 2;
    ecr.uploadLayerPart(r -> r.repositoryName(repo).uploadId(id).partFirstByte(0L)
        .partLastByte((long) half - 1).layerPartBlob(SdkBytes.fromByteArray(
            Arrays.copyOfRange(content, 0, half))));
    long last = ecr.uploadLayerPart(r -> r.repositoryName(repo).uploadId(id)
        .partFirstByte((long) half).partLastByte((long) content.length - 1)
        .layerPartBlob(SdkBytes.fromByteArray(Arrays.copyOfRange(content, half,
            content.length)))).lastByteReceived();
    assertThat(last).isEqualTo(content.length - 1);
    String digest = RegistryTest.sha256(content);
    assertThat(ecr.completeLayerUpload(r -> r.repositoryName(repo).uploadId(id)
        .layerDigests(digest)).layerDigest()).isEqualTo(digest);
    return digest;
  }

  private static String manifest(String configDigest, int configSize, String layer, int size) {
    return "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
        + configDigest + "\",\"size\":" + configSize + "},\"layers\":[{\"mediaType\":"
        + "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layer + "\",\"size\":"
        + size + "}]}";
  }

  @Test
  void layerUploadPutImageDescribeListDelete_roundTrip() throws Exception {
    EcrClient ecr = clients.adminEcr;
    ecr.createRepository(r -> r.repositoryName("app"));
    byte[] layer = "0123456789".getBytes(StandardCharsets.UTF_8);
    byte[] cfg = config().getBytes(StandardCharsets.UTF_8);
    String layerDigest = upload(ecr, "app", layer);
    String cfgDigest = upload(ecr, "app", cfg);
    String m = manifest(cfgDigest, cfg.length, layerDigest, layer.length);

    var put = ecr.putImage(r -> r.repositoryName("app").imageManifest(m).imageTag("v1"));
    assertThat(put.image().imageId().imageDigest()).isEqualTo(RegistryTest.sha256(
        m.getBytes(StandardCharsets.UTF_8)));
    Throwable again = catchThrowable(() -> ecr.putImage(r -> r.repositoryName("app")
        .imageManifest(m).imageTag("v1")));
    assertAws(again, ImageAlreadyExistsException.class, "ImageAlreadyExistsException", 400,
        "already exists");
    ecr.putImage(r -> r.repositoryName("app").imageManifest(m).imageTag("latest"));

    DescribeImagesResponse d = ecr.describeImages(r -> r.repositoryName("app"));
    ImageDetail detail = d.imageDetails().get(0);
    assertThat(detail.imageTags()).containsExactly("latest", "v1");
    assertThat(detail.imageSizeInBytes()).isEqualTo(layer.length + cfg.length);
    assertThat(detail.imagePushedAt()).isNotNull();
    assertThat(detail.imageManifestMediaType())
        .isEqualTo("application/vnd.oci.image.manifest.v1+json");
    assertThat(ecr.listImages(r -> r.repositoryName("app")).imageIds())
        .extracting(ImageIdentifier::imageTag).containsExactly("latest", "v1");

    var layers = ecr.batchCheckLayerAvailability(r -> r.repositoryName("app")
        .layerDigests(layerDigest, "sha256:" + "3".repeat(64)));
    assertThat(layers.layers()).singleElement().satisfies(l -> {
      assertThat(l.layerAvailability()).isEqualTo(LayerAvailability.AVAILABLE);
      assertThat(l.layerSize()).isEqualTo(layer.length);
    });
    assertThat(layers.failures()).singleElement()
        .satisfies(f -> assertThat(f.failureCodeAsString()).isEqualTo("MissingLayerDigest"));

    // The download URL serves the layer without credentials, like S3's signed URL.
    String url = ecr.getDownloadUrlForLayer(r -> r.repositoryName("app")
        .layerDigest(layerDigest)).downloadUrl();
    HttpResponse<byte[]> got = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(got.body()).isEqualTo(layer);

    var del = ecr.batchDeleteImage(r -> r.repositoryName("app").imageIds(
        ImageIdentifier.builder().imageTag("v1").build(),
        ImageIdentifier.builder().imageTag("nope").build()));
    assertThat(del.imageIds()).extracting(ImageIdentifier::imageTag).containsExactly("v1");
    assertThat(del.failures()).singleElement()
        .satisfies(f -> assertThat(f.failureCodeAsString()).isEqualTo("ImageNotFound"));
    assertThat(fake.images("app")).singleElement()
        .satisfies(i -> assertThat(i.tags()).containsExactly("latest"));
    ecr.batchDeleteImage(r -> r.repositoryName("app").imageIds(
        ImageIdentifier.builder().imageDigest(detail.imageDigest()).build()));
    assertThat(ecr.listImages(r -> r.repositoryName("app")).imageIds()).isEmpty();
  }

  @Test
  void putImage_missingLayers_layersNotFound_andImmutableTag_refused() {
    EcrClient ecr = clients.adminEcr;
    ecr.createRepository(r -> r.repositoryName("app")
        .imageTagMutability(ImageTagMutability.IMMUTABLE));
    String m = manifest("sha256:" + "4".repeat(64), 2, "sha256:" + "5".repeat(64), 3);
    Throwable t = catchThrowable(() -> ecr.putImage(r -> r.repositoryName("app")
        .imageManifest(m).imageTag("v1")));
    assertAws(t, LayersNotFoundException.class, "LayersNotFoundException", 400,
        "sha256:" + "4".repeat(64));

    fake.seedImage("app", "v1");
    fake.seedImage("app", image -> image.config("{\"os\":\"linux\"}").tag("v2"));
    String other = new String(java.util.Base64.getDecoder().decode(java.util.Base64.getEncoder()
        .encode(fake.images("app").get(1).manifest().getBytes(StandardCharsets.UTF_8))),
        StandardCharsets.UTF_8);
    Throwable immutable = catchThrowable(() -> ecr.putImage(r -> r.repositoryName("app")
        .imageManifest(other).imageTag("v1")));
    assertAws(immutable, ImageTagAlreadyExistsException.class, "ImageTagAlreadyExistsException",
        400, "The image tag 'v1' already exists in the 'app' repository and cannot be "
            + "overwritten because the repository is immutable.");
  }

  @Test
  void layerErrors_uploadNotFound_invalidLayer_imageNotFound() {
    EcrClient ecr = clients.adminEcr;
    ecr.createRepository(r -> r.repositoryName("app"));
    Throwable t = catchThrowable(() -> ecr.uploadLayerPart(r -> r.repositoryName("app")
        .uploadId("nope").partFirstByte(0L).partLastByte(0L)
        .layerPartBlob(SdkBytes.fromUtf8String("x"))));
    assertAws(t, UploadNotFoundException.class, "UploadNotFoundException", 400, "nope");

    String id = ecr.initiateLayerUpload(r -> r.repositoryName("app")).uploadId();
    ecr.uploadLayerPart(r -> r.repositoryName("app").uploadId(id).partFirstByte(0L)
        .partLastByte(2L).layerPartBlob(SdkBytes.fromUtf8String("abc")));
    Throwable wrong = catchThrowable(() -> ecr.completeLayerUpload(r -> r.repositoryName("app")
        .uploadId(id).layerDigests("sha256:" + "6".repeat(64))));
    assertAws(wrong, InvalidLayerException.class, "InvalidLayerException", 400,
        "does not match the digest specified");

    Throwable missing = catchThrowable(() -> ecr.describeImages(r -> r.repositoryName("app")
        .imageIds(ImageIdentifier.builder().imageTag("v9").build())));
    assertAws(missing, ImageNotFoundException.class, "ImageNotFoundException", 400, "v9");
    assertThat(ecr.describeImages(r -> r.repositoryName("app")
        .filter(f -> f.tagStatus(TagStatus.UNTAGGED))).imageDetails()).isEmpty();
  }

  @Test
  void pagination_nextTokenWalksAllImages() {
    for (int i = 0; i < 5; i++) {
      fake.seedImage("app", "t" + i);
    }
    // seedImage(repo, tag) stores one manifest: five tags on one image.
    var first = clients.adminEcr.listImages(r -> r.repositoryName("app").maxResults(2));
    assertThat(first.imageIds()).hasSize(2);
    assertThat(clients.adminEcr.listImagesPaginator(r -> r.repositoryName("app").maxResults(2))
        .imageIds().stream().count()).isEqualTo(5);
  }

  @Test
  void pullRole_mayNotPutImage_accessDeniedNamesTheAction() {
    fake.seedImage("app", "v1");
    Credentials c = EcrTest.session(fake, clients);
    clients.iam.putRolePolicy(r -> r.roleName("ci").policyName("pull")
        .policyDocument(Fixtures.pullPolicy(fake, "app")));
    try (EcrClient ecr = clients.ecr(Clients.session(c))) {
      Throwable t = catchThrowable(() -> ecr.putImage(r -> r.repositoryName("app")
          .imageManifest(fake.images("app").get(0).manifest()).imageTag("v2")));
      assertAws(t, software.amazon.awssdk.services.ecr.model.EcrException.class,
          "AccessDeniedException", 400, "is not authorized to perform: ecr:PutImage");
    }
    assertThat(fake.lastDenial().orElseThrow().action()).isEqualTo("ecr:PutImage");
  }
}

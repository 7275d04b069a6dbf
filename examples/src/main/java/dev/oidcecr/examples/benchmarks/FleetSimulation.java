package dev.oidcecr.examples.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oidcecr.core.AwsSetup;
import dev.oidcecr.core.CredentialCache;
import dev.oidcecr.core.CredentialHelper;
import dev.oidcecr.core.EcrRegistry;
import dev.oidcecr.core.OidcEcrAuthenticator;
import dev.oidcecr.core.TokenSource;
import dev.oidcecr.core.WebIdentityToken;
import dev.oidcecr.testing.FakeAws;
import dev.oidcecr.testing.RecordedCall;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * A fleet of cloud workspaces pulling images for one simulated day, against the in-process fake,
 * with every clock (the fake's, its OIDC issuer's, each authenticator's and each disk cache's) a
 * simulated one that jumps from pull to pull. It counts the STS and ECR calls the fake's journal
 * received per simulated hour and the busiest simulated second, and sets them beside the naive
 * flow computed from the same schedule and beside AWS's published rate quotas.
 *
 * <p><b>Each pull</b> is what {@code docker pull} does with {@code credHelpers} pointing at
 * oidc-ecr: one {@code docker-credential-oidc-ecr get} (a new process: a new {@link
 * OidcEcrAuthenticator} with an empty memory cache, as core's CLI builds it, and the workspace's
 * own {@link CredentialCache} folder, each workspace being its own machine), answered through
 * {@link CredentialHelper}'s protocol; then the manifest is fetched from the fake registry with
 * the Basic credentials the helper printed. A refused pull stops the run.
 *
 * <p><b>Schedule</b> (seeded, so a run is repeatable): each workspace has its own OIDC subject. It
 * starts at a second drawn from a morning wave (60%: normal around 09:00 UTC, 30 minutes standard
 * deviation) or the working day (40%: uniform 07:00 to 19:00), lives 1 to 10 hours (uniform,
 * cut at midnight), pulls 1 to 4 images at the same second when it starts ({@code docker compose
 * up}), then one image after each exponential gap of mean 40 minutes until it stops. Its token is
 * valid one hour (the fake issuer's default) and re-minted when less than five minutes are left.
 *
 * <p><b>Naive flow</b>: the AWS CLI's {@code aws sts assume-role-with-web-identity} then {@code
 * aws ecr get-login-password} before every pull, so one STS and one ECR call per pull at the
 * pull's second, computed from the schedule (not run).
 *
 * <pre>
 * ./mvnw -B -o -q -pl examples -am package -DskipTests
 * examples/benchmarks/fleet.sh            # 2,000 workspaces; or: fleet.sh --workspaces 500
 * </pre>
 */
public final class FleetSimulation {
  /** The simulated day: a Monday, midnight UTC. */
  public static final Instant DAY = Instant.parse("2025-06-02T00:00:00Z");
  /**
   * AWS STS request quota, per account and Region: 600 requests per second, shared by the STS
   * calls signed with AWS credentials (AssumeRole, GetCallerIdentity, GetSessionToken, ...), per
   * "IAM and AWS STS quotas", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
   * (also https://docs.aws.amazon.com/general/latest/gr/sts.html). AssumeRoleWithWebIdentity is
   * unsigned and not named in that list; 600/s is the published STS figure it is compared with.
   */
  public static final int STS_QUOTA_PER_SECOND = 600;
  /**
   * Amazon ECR "Rate of GetAuthorizationToken requests": 500 per second per Region, adjustable
   * (quota L-55A41110), per https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html.
   * (The troubleshooting page, https://docs.aws.amazon.com/AmazonECR/latest/userguide/common-errors.html,
   * still describes an older token bucket of 20 per second sustained with bursts of 200.)
   */
  public static final int ECR_QUOTA_PER_SECOND = 500;

  private static final String ROLE = "workspace-ecr-pull";
  private static final String REPOSITORY = "acme/app";
  private static final List<String> TAGS = List.of("web", "api", "worker", "db", "tools");
  private static final String REPO_URL = "https://github.com/acme/app";
  private static final Duration TOKEN_MARGIN = Duration.ofMinutes(5);
  private static final String MANIFEST_TYPES = "application/vnd.oci.image.manifest.v1+json,"
      + " application/vnd.docker.distribution.manifest.v2+json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private FleetSimulation() {}

  /** How many workspaces, which seed, and whether to fetch the manifest after each get. */
  public record Config(int workspaces, long seed, boolean pullManifests) {
    /** Checks the values. */
    public Config {
      if (workspaces < 1) {
        throw new IllegalArgumentException("workspaces must be at least 1, got " + workspaces);
      }
    }
  }

  /** One scheduled pull: when (seconds after {@link #DAY}), which workspace, which image. */
  public record Pull(long second, int workspace, String tag) {}

  /** What a run measured. Hourly arrays have 24 entries (simulated UTC hours). */
  public record Result(int workspaces, int pulls, int[] pullsPerHour, int[] stsPerHour,
      int[] ecrPerHour, int peakStsPerSecond, int peakEcrPerSecond, int naivePeakPerSecond,
      int registryAccepted, Map<String, List<Instant>> stsCallsByWorkspace, Duration wallTime) {

    /** STS calls the fake received in the whole day. */
    public int stsCalls() {
      return sum(stsPerHour);
    }

    /** ECR calls the fake received in the whole day. */
    public int ecrCalls() {
      return sum(ecrPerHour);
    }
  }

  /**
   * Builds the seeded schedule, sorted by time (ties: by workspace, then image).
   *
   * @param workspaces how many workspaces
   * @param seed the random seed
   * @return every pull of the day
   */
  public static List<Pull> schedule(int workspaces, long seed) {
    Random random = new Random(seed);
    List<Pull> pulls = new ArrayList<>();
    long endOfDay = Duration.ofDays(1).toSeconds();
    for (int w = 0; w < workspaces; w++) {
      long start;
      if (random.nextDouble() < 0.6) {
        double s = 9 * 3600 + random.nextGaussian() * 1800;
        start = Math.max(0, Math.min(endOfDay - 1, Math.round(s)));
      } else {
        start = 7 * 3600 + (long) (random.nextDouble() * 12 * 3600);
      }
      long stop = Math.min(endOfDay, start + 3600 + (long) (random.nextDouble() * 9 * 3600));
      int first = 1 + random.nextInt(4);
      for (int i = 0; i < first; i++) {
        pulls.add(new Pull(start, w, TAGS.get(i)));
      }
      long t = start;
      while (true) {
        t += Math.max(1, Math.round(-Math.log(1 - random.nextDouble()) * 40 * 60));
        if (t >= stop) {
          break;
        }
        pulls.add(new Pull(t, w, TAGS.get(random.nextInt(TAGS.size()))));
      }
    }
    pulls.sort(Comparator.comparingLong(Pull::second).thenComparingInt(Pull::workspace));
    return pulls;
  }

  /**
   * Runs the simulation against a new in-process fake.
   *
   * @param config the fleet
   * @return the counts the fake's journal gave
   * @throws Exception when the fake, the helper or the registry fails a pull
   */
  public static Result run(Config config) throws Exception {
    long wallStart = System.nanoTime();
    List<Pull> schedule = schedule(config.workspaces(), config.seed());
    SimulatedClock clock = new SimulatedClock(DAY.minus(Duration.ofHours(1)));
    // The cache folders go to memory when the machine has /dev/shm: each entry is written with
    // fsync (file and folder), which on a busy disk costs 10 to 70 ms and would dominate the wall
    // time without changing a single call count.
    Path shm = Path.of("/dev/shm");
    Path root = Files.isDirectory(shm) && Files.isWritable(shm)
        ? Files.createTempDirectory(shm, "oidc-ecr-fleet")
        : Files.createTempDirectory("oidc-ecr-fleet");
    SdkHttpClient sdkHttp = UrlConnectionHttpClient.create();
    HttpClient http = HttpClient.newHttpClient();
    try (FakeAws aws = FakeAws.builder().clock(clock).build().start();
        StsClient sts = StsClient.builder().endpointOverride(aws.endpoint())
            .region(Region.of(aws.region())).httpClient(sdkHttp)
            .credentialsProvider(AnonymousCredentialsProvider.create())
            .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none())).build();
        EcrClient ecr = EcrClient.builder().endpointOverride(aws.endpoint())
            .region(Region.of(aws.region())).httpClient(sdkHttp)
            .credentialsProvider(AnonymousCredentialsProvider.create())
            .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none())).build()) {
      String roleArn = setUp(aws);
      drain(aws); // the set-up's IAM and ECR calls are not the fleet's
      EcrRegistry registry = EcrRegistry.of(aws.accountId(), aws.region());
      Workspace[] fleet = new Workspace[config.workspaces()];
      for (int w = 0; w < fleet.length; w++) {
        fleet[w] = new Workspace(w, aws, clock, root);
      }
      Counts counts = new Counts();
      int accepted = 0;
      long tSetup = System.nanoTime() - wallStart;
      long tHelper = 0;
      long tManifest = 0;
      long tTake = 0;
      for (Pull pull : schedule) {
        clock.set(DAY.plusSeconds(pull.second()));
        Workspace ws = fleet[pull.workspace()];
        long t0 = System.nanoTime();
        String[] login = ws.helperGet(registry, roleArn, sts, ecr);
        long t1 = System.nanoTime();
        tHelper += t1 - t0;
        if (config.pullManifests()) {
          HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://"
                  + aws.registryAddress() + "/v2/" + REPOSITORY + "/manifests/" + pull.tag()))
              .header("Accept", MANIFEST_TYPES)
              .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                  (login[0] + ":" + login[1]).getBytes(StandardCharsets.UTF_8)))
              .GET().build(), HttpResponse.BodyHandlers.discarding());
          if (r.statusCode() != 200) {
            throw new IllegalStateException("The fake registry refused workspace " + ws.id
                + "'s pull of " + pull.tag() + " at " + clock.instant() + " with HTTP "
                + r.statusCode() + ": " + aws.lastDenial().map(Object::toString).orElse("?"));
          }
        }
        long t2 = System.nanoTime();
        tManifest += t2 - t1;
        accepted += counts.take(aws);
        tTake += System.nanoTime() - t2;
      }
      // Where the wall time went (on stderr: the table stays clean).
      System.err.printf(Locale.ROOT, "wall time: set-up %d ms, helper gets %d ms, registry"
          + " manifest GETs %d ms, journal %d ms%n", tSetup / 1_000_000, tHelper / 1_000_000,
          tManifest / 1_000_000, tTake / 1_000_000);
      int[] pullsPerHour = new int[24];
      Map<Long, Integer> naive = new HashMap<>();
      for (Pull p : schedule) {
        pullsPerHour[(int) (p.second() / 3600)]++;
        naive.merge(p.second(), 1, Integer::sum);
      }
      int naivePeak = naive.values().stream().mapToInt(Integer::intValue).max().orElse(0);
      return new Result(config.workspaces(), schedule.size(), pullsPerHour, counts.stsPerHour,
          counts.ecrPerHour, max(counts.stsPerSecond), max(counts.ecrPerSecond), naivePeak,
          config.pullManifests() ? accepted : -1, counts.stsByWorkspace,
          Duration.ofNanos(System.nanoTime() - wallStart));
    } finally {
      sdkHttp.close();
      deleteTree(root);
    }
  }

  /** The platform team's set-up, done once before the day: provider, role, repository, images. */
  private static String setUp(FakeAws aws) {
    try (EcrClient admin = aws.configure(EcrClient.builder()).build()) {
      admin.createRepository(r -> r.repositoryName(REPOSITORY));
    }
    for (String tag : TAGS) {
      aws.seedImage(REPOSITORY, tag);
    }
    return AwsSetup.builder()
        .endpoint(aws.endpoint()).region(aws.region()).credentialsProvider(aws.credentialsProvider())
        .issuerUrl(aws.issuer().issuer()).accountId(aws.accountId()).roleName(ROLE)
        .allowRepository(REPO_URL).repositories(REPOSITORY)
        .build().apply().roleArn();
  }

  /** One workspace: its own subject, token and cache folder (its own machine). */
  private static final class Workspace {
    final int id;
    final String workspaceId;
    final FakeAws aws;
    final Clock clock;
    final CredentialCache cache;
    WebIdentityToken token;

    Workspace(int id, FakeAws aws, Clock clock, Path root) {
      this.id = id;
      this.workspaceId = String.format(Locale.ROOT, "acme-app-%08x", 0x5eed0000 + id);
      this.aws = aws;
      this.clock = clock;
      this.cache = CredentialCache.at(root.resolve(workspaceId), clock);
    }

    /** The workspace's token, re-minted by the issuer when less than five minutes are left. */
    WebIdentityToken token() {
      if (token == null || !clock.instant().plus(TOKEN_MARGIN).isBefore(token.expiresAt())) {
        token = WebIdentityToken.parse(aws.issuer().token().repository(REPO_URL)
            .subject(REPO_URL + "/tree/" + workspaceId).workspaceId(workspaceId).mint());
      }
      return token;
    }

    /**
     * {@code docker-credential-oidc-ecr get}, as core's CLI wires it: a new authenticator (empty
     * memory cache) asked through the workspace's disk cache. Returns user name and secret.
     */
    String[] helperGet(EcrRegistry registry, String roleArn, StsClient sts, EcrClient ecr) {
      TokenSource source = () -> Optional.of(token());
      CredentialHelper helper = CredentialHelper.of(target -> {
        try (OidcEcrAuthenticator authenticator = OidcEcrAuthenticator.builder()
            .roleArn(roleArn).registry(target).tokenSource(source)
            .environment(Map.of("GITPOD_WORKSPACE_ID", workspaceId)).clock(clock)
            .stsClient(sts).ecrClient(ecr).build()) {
          return Optional.of(cache.authenticate(authenticator, target));
        }
      });
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int status = helper.run(List.of("get"), new ByteArrayInputStream(
          registry.host().getBytes(StandardCharsets.UTF_8)), out);
      String answer = out.toString(StandardCharsets.UTF_8);
      if (status != 0) {
        throw new IllegalStateException("docker-credential-oidc-ecr get failed for workspace "
            + id + " at " + clock.instant() + ": " + answer.strip());
      }
      try {
        JsonNode node = JSON.readTree(answer);
        return new String[] {node.path("Username").asText(), node.path("Secret").asText()};
      } catch (IOException e) {
        throw new UncheckedIOException("The helper's answer is not JSON", e);
      }
    }
  }

  /** Counts from the fake's journal, taken after every pull (it keeps only the last 1,000). */
  private static final class Counts {
    final int[] stsPerHour = new int[24];
    final int[] ecrPerHour = new int[24];
    final Map<Long, Integer> stsPerSecond = new HashMap<>();
    final Map<Long, Integer> ecrPerSecond = new HashMap<>();
    final Map<String, List<Instant>> stsByWorkspace = new HashMap<>();

    /** Takes every call not taken yet; returns how many registry manifest GETs got 200. */
    int take(FakeAws aws) {
      int registryOk = 0;
      Optional<RecordedCall> next;
      while ((next = aws.takeCall(Duration.ZERO)).isPresent()) {
        RecordedCall c = next.get();
        long second = c.time().getEpochSecond() - DAY.getEpochSecond();
        int hour = (int) Math.floorDiv(second, 3600);
        if (c.service().equals("sts") && c.operation().equals("AssumeRoleWithWebIdentity")) {
          check(c);
          stsPerHour[hour]++;
          stsPerSecond.merge(second, 1, Integer::sum);
          // The caller is the assumed-role session ARN, whose session name is the workspace id
          // and the login's epoch second (as core derives it from GITPOD_WORKSPACE_ID).
          String session = c.identity().orElse("?");
          String workspace = session.substring(session.lastIndexOf('/') + 1)
              .replaceFirst("-[0-9]+$", "");
          stsByWorkspace.computeIfAbsent(workspace, k -> new ArrayList<>()).add(c.time());
        } else if (c.service().equals("ecr") && c.operation().equals("GetAuthorizationToken")) {
          check(c);
          ecrPerHour[hour]++;
          ecrPerSecond.merge(second, 1, Integer::sum);
        } else if (c.service().equals("registry")) {
          if (c.status() == 200) {
            registryOk++;
          }
        } else {
          throw new IllegalStateException("Unexpected call during the day: "
              + c.qualifiedOperation());
        }
      }
      return registryOk;
    }

    private static void check(RecordedCall c) {
      if (c.status() != 200) {
        throw new IllegalStateException(c.qualifiedOperation() + " answered " + c.status() + " "
            + c.errorCode().orElse(""));
      }
    }
  }

  private static void drain(FakeAws aws) {
    while (aws.takeCall(Duration.ZERO).isPresent()) {
      // the set-up's calls
    }
  }

  private static int max(Map<Long, Integer> perSecond) {
    return perSecond.values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  private static int sum(int[] values) {
    int s = 0;
    for (int v : values) {
      s += v;
    }
    return s;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Renders the table: per simulated hour, the pulls, the calls the fake received and the naive
   * flow's calls; then the day's totals, the busiest second and the quotas.
   *
   * @param r the result
   * @return the Markdown table and a summary
   */
  public static String table(Result r) {
    StringBuilder s = new StringBuilder();
    s.append("| hour (UTC) | pulls | STS calls (cached) | ECR calls (cached) | STS = ECR calls"
        + " (naive) |\n|---|---:|---:|---:|---:|\n");
    for (int h = 0; h < 24; h++) {
      if (r.pullsPerHour()[h] == 0 && r.stsPerHour()[h] == 0 && r.ecrPerHour()[h] == 0) {
        continue;
      }
      s.append(String.format(Locale.ROOT, "| %02d:00 | %,d | %,d | %,d | %,d |%n", h,
          r.pullsPerHour()[h], r.stsPerHour()[h], r.ecrPerHour()[h], r.pullsPerHour()[h]));
    }
    s.append(String.format(Locale.ROOT, "| **day** | **%,d** | **%,d** | **%,d** | **%,d** |%n",
        r.pulls(), r.stsCalls(), r.ecrCalls(), r.pulls()));
    int busiestHourNaive = 0;
    int busiestHourSts = 0;
    for (int h = 0; h < 24; h++) {
      busiestHourNaive = Math.max(busiestHourNaive, r.pullsPerHour()[h]);
      busiestHourSts = Math.max(busiestHourSts, Math.max(r.stsPerHour()[h], r.ecrPerHour()[h]));
    }
    s.append(String.format(Locale.ROOT, "%n| | cached (fake's journal) | naive (AWS CLI per pull)"
        + " | quota |%n|---|---:|---:|---:|%n"));
    s.append(String.format(Locale.ROOT, "| STS AssumeRoleWithWebIdentity, busiest second | %d |"
        + " %d | %d/s |%n", r.peakStsPerSecond(), r.naivePeakPerSecond(), STS_QUOTA_PER_SECOND));
    s.append(String.format(Locale.ROOT, "| ECR GetAuthorizationToken, busiest second | %d | %d |"
        + " %d/s |%n", r.peakEcrPerSecond(), r.naivePeakPerSecond(), ECR_QUOTA_PER_SECOND));
    s.append(String.format(Locale.ROOT, "| busiest hour, calls of one service | %,d | %,d | |%n",
        busiestHourSts, busiestHourNaive));
    s.append(String.format(Locale.ROOT, "| calls per pull (STS + ECR) | %.3f | 2 | |%n",
        (r.stsCalls() + r.ecrCalls()) / (double) r.pulls()));
    s.append(String.format(Locale.ROOT, "%n%,d workspaces, %,d pulls (%s); cached flow %.1fx"
        + " fewer STS calls than naive; fleet size at which the busiest second would reach the"
        + " STS quota: cached about %,d, naive about %,d workspaces (linear in fleet size). Wall"
        + " time %.1f s, process CPU time %.1f s.%n", r.workspaces(), r.pulls(),
        r.registryAccepted() < 0 ? "manifests not fetched"
            : String.format(Locale.ROOT, "%,d manifests fetched with the helper's credentials",
                r.registryAccepted()),
        r.pulls() / (double) Math.max(1, r.stsCalls()),
        scale(r.workspaces(), r.peakStsPerSecond(), STS_QUOTA_PER_SECOND),
        scale(r.workspaces(), r.naivePeakPerSecond(), STS_QUOTA_PER_SECOND),
        r.wallTime().toMillis() / 1000.0, processCpuSeconds()));
    return s.toString();
  }

  /** CPU time of this JVM so far (all threads, JIT and GC included), or -1 if unknown. */
  private static double processCpuSeconds() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime() / 1e9;
    }
    return -1;
  }

  private static long scale(int workspaces, int peak, int quota) {
    if (peak == 0) {
      return 0;
    }
    double n = workspaces * (double) quota / peak;
    // An extrapolation: to the thousand once it is that large.
    return n >= 10_000 ? Math.round(n / 1000) * 1000 : Math.round(n);
  }

  /**
   * Runs the day and prints the table.
   *
   * @param args {@code [--workspaces N] [--seed S] [--no-manifests]}
   * @throws Exception when a pull fails
   */
  public static void main(String[] args) throws Exception {
    int workspaces = 2000;
    long seed = 42;
    boolean manifests = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--workspaces" -> workspaces = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--no-manifests" -> manifests = false;
        default -> {
          System.err.println("FleetSimulation: unknown argument " + args[i]
              + "; use --workspaces N, --seed S or --no-manifests");
          System.exit(2);
        }
      }
    }
    Result r = run(new Config(workspaces, seed, manifests));
    System.out.print(table(r));
  }

  /** A clock the simulation moves; every component reads it. */
  static final class SimulatedClock extends Clock {
    private volatile Instant now;

    SimulatedClock(Instant start) {
      this.now = start;
    }

    void set(Instant instant) {
      if (instant.isBefore(now)) {
        throw new IllegalArgumentException("The simulated clock does not go back: " + instant
            + " is before " + now);
      }
      now = instant;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}

package dev.oidcecr.core.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.ecr.model.EcrException;
import software.amazon.awssdk.services.sts.model.ExpiredTokenException;
import software.amazon.awssdk.services.sts.model.IdpCommunicationErrorException;
import software.amazon.awssdk.services.sts.model.IdpRejectedClaimException;
import software.amazon.awssdk.services.sts.model.InvalidIdentityTokenException;
import software.amazon.awssdk.services.sts.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.sts.model.PackedPolicyTooLargeException;
import software.amazon.awssdk.services.sts.model.RegionDisabledException;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * The login's two AWS calls without the SDK's client machinery: STS
 * {@code AssumeRoleWithWebIdentity} (an unsigned Query POST with an XML answer) and ECR
 * {@code GetAuthorizationToken} (a JSON 1.1 POST signed with {@link SigV4Signer}), over
 * {@link HttpURLConnection}. Building an SDK client and running its request pipeline is most of
 * a cold login's CPU; these two calls need none of it.
 *
 * <p>It is used only for a configuration it fully understands ({@link #create}): endpoint
 * overrides without a query, or the SDK's default regional endpoints of the {@code aws},
 * {@code aws-cn} and {@code aws-us-gov} partitions when nothing in the environment, the system
 * properties or the AWS config file could change what the SDK would call; and no proxy setting
 * at all. Anything else goes through the SDK clients.
 *
 * <p>Failures are thrown as the SDK exceptions the SDK clients throw for the same answer (the
 * modelled STS exception classes, {@link EcrException}, {@link SdkClientException} with the I/O
 * cause, {@link ApiCallTimeoutException} at the deadline), so that {@link AwsErrors} and
 * {@link Retrier} treat both paths alike.
 */
public final class LeanAws {
  private static final Logger LOG = LoggerFactory.getLogger(LeanAws.class);

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(15);
  /** Far above any STS or ECR answer (a few KiB); a larger body is not one of theirs. */
  private static final int MAX_BODY = 4 * 1024 * 1024;
  private static final Pattern PLAIN_PATH = Pattern.compile("(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*/?");
  private static final String STS_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8";
  private static final String ECR_CONTENT_TYPE = "application/x-amz-json-1.1";
  private static final String ECR_TARGET =
      "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";

  /** Environment variables any of which makes the SDK choose endpoints or proxies itself. */
  private static final List<String> SDK_ENV_PREFIXES = List.of("AWS_USE_FIPS_ENDPOINT",
      "AWS_USE_DUALSTACK_ENDPOINT", "AWS_ENDPOINT_URL", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
      "AWS_STS_REGIONAL_ENDPOINTS");
  private static final List<String> PROXY_ENV = List.of("HTTP_PROXY", "HTTPS_PROXY",
      "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy");
  private static final List<String> PROXY_PROPERTIES = List.of("http.proxyHost",
      "https.proxyHost", "socksProxyHost", "http.nonProxyHosts");
  private static final List<String> SDK_PROPERTY_PREFIXES = List.of("aws.useFipsEndpoint",
      "aws.useDualstackEndpoint", "aws.endpointUrl", "aws.ignoreConfiguredEndpointUrls",
      "aws.stsRegionalEndpoints");

  /** The STS answer's fields, as the SDK's model reads them. */
  public record Session(String accessKeyId, String secretAccessKey, String sessionToken,
      Instant expiration, String assumedRoleArn) {
    @Override
    public String toString() {
      return "Session{accessKeyId=" + accessKeyId + ", expiration=" + expiration + "}";
    }
  }

  /** One {@code authorizationData} entry of ECR's answer. */
  public record AuthorizationData(String authorizationToken, Instant expiresAt,
      String proxyEndpoint) {
    @Override
    public String toString() {
      return "AuthorizationData{expiresAt=" + expiresAt + ", proxyEndpoint=" + proxyEndpoint
          + "}";
    }
  }

  private final URI stsOverride;
  private final URI ecrOverride;
  private final Duration connectTimeout;
  private final Duration socketTimeout;
  private volatile XMLInputFactory xml;

  private LeanAws(URI stsOverride, URI ecrOverride, Duration deadline) {
    this.stsOverride = stsOverride;
    this.ecrOverride = ecrOverride;
    this.connectTimeout = min(CONNECT_TIMEOUT, deadline);
    this.socketTimeout = min(SOCKET_TIMEOUT, deadline);
  }

  /**
   * Returns the lean client for these endpoints (each {@code null} for the SDK's default), or
   * empty when the configuration is one the SDK clients must handle; the reason is logged at
   * debug level.
   *
   * @param env the process environment the SDK reads (not a caller's map of defaults)
   * @param properties the system properties the SDK reads
   * @param home the home folder the SDK looks for {@code .aws/config} in
   */
  public static Optional<LeanAws> create(URI stsOverride, URI ecrOverride, Duration deadline,
      Map<String, String> env, Properties properties, Path home) {
    String why = whyNot(stsOverride, ecrOverride, env, properties, home);
    if (why != null) {
      LOG.debug("STS and ECR calls go through the AWS SDK clients: {}", why);
      return Optional.empty();
    }
    return Optional.of(new LeanAws(stsOverride, ecrOverride, deadline));
  }

  private static String whyNot(URI sts, URI ecr, Map<String, String> env, Properties props,
      Path home) {
    for (String name : PROXY_ENV) {
      if (env.containsKey(name)) {
        return name + " is set";
      }
    }
    for (String name : PROXY_PROPERTIES) {
      if (props.getProperty(name) != null) {
        return "the system property " + name + " is set";
      }
    }
    if (Boolean.parseBoolean(props.getProperty("java.net.useSystemProxies"))) {
      return "java.net.useSystemProxies is true";
    }
    for (URI u : new URI[] {sts, ecr}) {
      if (u != null && !plainOverride(u)) {
        return "the endpoint " + u + " is not a plain http(s)://host[:port][/path] URL";
      }
    }
    if (sts != null && ecr != null) {
      return null;
    }
    // A default endpoint: the SDK may pick another one from its environment or config file.
    for (String name : env.keySet()) {
      for (String prefix : SDK_ENV_PREFIXES) {
        if (name.startsWith(prefix)) {
          return name + " is set";
        }
      }
    }
    for (String name : props.stringPropertyNames()) {
      for (String prefix : SDK_PROPERTY_PREFIXES) {
        if (name.startsWith(prefix)) {
          return "the system property " + name + " is set";
        }
      }
    }
    String configFile = env.get("AWS_CONFIG_FILE");
    Path config = configFile != null && !configFile.isBlank() ? Path.of(configFile)
        : home == null ? null : home.resolve(".aws").resolve("config");
    if (config != null && Files.exists(config)) {
      try {
        String text = Files.readString(config, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        if (text.contains("endpoint") || text.contains("fips") || text.contains("dualstack")) {
          return config + " has endpoint settings";
        }
      } catch (IOException | RuntimeException e) {
        return config + " could not be read (" + e.getClass().getSimpleName() + ")";
      }
    }
    return null;
  }

  private static boolean plainOverride(URI u) {
    String scheme = u.getScheme();
    return ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
        && u.getRawUserInfo() == null && u.getRawQuery() == null && u.getRawFragment() == null
        && u.getHost() != null && !u.getHost().isEmpty()
        && (u.getRawPath() == null || u.getRawPath().isEmpty()
            || PLAIN_PATH.matcher(u.getRawPath()).matches());
  }

  /**
   * Returns the SDK's default regional endpoint of {@code service} in {@code region}, or
   * {@code null} outside the partitions this client knows ({@code aws}, {@code aws-cn},
   * {@code aws-us-gov}). For example {@code https://sts.eu-west-1.amazonaws.com} and
   * {@code https://api.ecr.cn-north-1.amazonaws.com.cn}.
   */
  static URI defaultEndpoint(String service, String region) {
    RegistryParser.Partition p;
    try {
      p = RegistryParser.partitionOf(region);
    } catch (RuntimeException e) {
      return null;
    }
    if (!p.id().equals("aws") && !p.id().equals("aws-cn") && !p.id().equals("aws-us-gov")) {
      return null;
    }
    String prefix = service.equals("ecr") ? "api.ecr." : "sts.";
    return URI.create("https://" + prefix + region + "." + p.suffix);
  }

  /** Tells whether this client can call STS for a registry in {@code region}. */
  public boolean handlesSts(String region) {
    return stsOverride != null || defaultEndpoint("sts", region) != null;
  }

  /** Tells whether this client can call ECR in {@code region}. */
  public boolean handlesEcr(String region) {
    return ecrOverride != null || defaultEndpoint("ecr", region) != null;
  }

  /**
   * Calls STS {@code AssumeRoleWithWebIdentity}, given {@code left} in all.
   *
   * @throws software.amazon.awssdk.core.exception.SdkException as the SDK client would
   */
  public Session assumeRoleWithWebIdentity(String region, String roleArn, String sessionName,
      long durationSeconds, String webIdentityToken, Duration left) {
    URI endpoint = stsOverride != null ? stsOverride : defaultEndpoint("sts", region);
    // The Query protocol's form: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
    String form = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
        + "&RoleArn=" + formEncode(roleArn)
        + "&RoleSessionName=" + formEncode(sessionName)
        + "&WebIdentityToken=" + formEncode(webIdentityToken)
        + "&DurationSeconds=" + durationSeconds;
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", STS_CONTENT_TYPE);
    Answer a = post(endpoint, headers, form.getBytes(StandardCharsets.UTF_8), left);
    if (a.status / 100 != 2) {
      throw stsError(a);
    }
    Map<String, String> fields;
    try {
      fields = readXml(a.body, true);
    } catch (XMLStreamException | RuntimeException e) {
      throw unmarshallError(a, e);
    }
    return new Session(fields.get("Credentials/AccessKeyId"),
        fields.get("Credentials/SecretAccessKey"), fields.get("Credentials/SessionToken"),
        parseIsoInstant(fields.get("Credentials/Expiration"), a),
        fields.get("AssumedRoleUser/Arn"));
  }

  /**
   * Calls ECR {@code GetAuthorizationToken} for {@code accountId} with the session, given
   * {@code left} in all; returns the answer's entries.
   *
   * @throws software.amazon.awssdk.core.exception.SdkException as the SDK client would
   */
  public List<AuthorizationData> getAuthorizationToken(String region, String accountId,
      String accessKeyId, String secretAccessKey, String sessionToken, Duration left) {
    URI endpoint = ecrOverride != null ? ecrOverride : defaultEndpoint("ecr", region);
    byte[] body = ("{\"registryIds\":[\"" + accountId + "\"]}").getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", ECR_CONTENT_TYPE);
    headers.put("Host", hostHeader(endpoint));
    headers.put("X-Amz-Target", ECR_TARGET);
    Map<String, String> signed = SigV4Signer.sign("POST", requestPath(endpoint), headers, body,
        accessKeyId, secretAccessKey, sessionToken, region, "ecr", Instant.now());
    signed.remove("host"); // HttpURLConnection sends exactly this Host header itself
    Answer a = post(endpoint, signed, body, left);
    if (a.status / 100 != 2) {
      throw ecrError(a);
    }
    try {
      return readAuthorizationData(a.body);
    } catch (IOException | RuntimeException e) {
      throw unmarshallError(a, e);
    }
  }

  // --- HTTP ----------------------------------------------------------------------------------

  private record Answer(int status, String statusText, String contentType, String requestId,
      String errorType, byte[] body) {}

  /** The request path: the override's path, or {@code /}. */
  static String requestPath(URI endpoint) {
    String p = endpoint.getRawPath();
    return p == null || p.isEmpty() ? "/" : p;
  }

  /** The Host header {@link HttpURLConnection} sends: the port only when not the default. */
  static String hostHeader(URI u) {
    int port = u.getPort();
    int defaultPort = "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    return port == -1 || port == defaultPort ? u.getHost() : u.getHost() + ":" + port;
  }

  private Answer post(URI endpoint, Map<String, String> headers, byte[] body, Duration left) {
    long start = System.nanoTime();
    long leftNanos = Math.max(1, left.toNanos());
    HttpURLConnection c = null;
    Watchdog dog = null;
    try {
      URI target = endpoint.resolve(requestPath(endpoint));
      URL url = new URL(target.toString());
      c = (HttpURLConnection) url.openConnection();
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      c.setConnectTimeout(millis(min(connectTimeout, left)));
      c.setReadTimeout(millis(min(socketTimeout, left)));
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setFixedLengthStreamingMode(body.length);
      c.setRequestProperty("Accept", "*/*");
      c.setRequestProperty("User-Agent", "oidc-ecr");
      for (Map.Entry<String, String> h : headers.entrySet()) {
        c.setRequestProperty(h.getKey(), h.getValue());
      }
      dog = new Watchdog(c, leftNanos);
      try (OutputStream out = c.getOutputStream()) {
        out.write(body);
      }
      int status = c.getResponseCode();
      InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
      byte[] answer = in == null ? new byte[0] : readAll(in, start, leftNanos, dog);
      LOG.debug("POST {} answered HTTP {} in {} ms (lean client, no SDK client)", target, status,
          (System.nanoTime() - start) / 1_000_000);
      return new Answer(status, c.getResponseMessage(), c.getContentType(), c.getHeaderField("x-amzn-RequestId"),
          c.getHeaderField("x-amzn-ErrorType"), answer);
    } catch (IOException | RuntimeException e) {
      if ((dog != null && dog.fired) || System.nanoTime() - start >= leftNanos) {
        ApiCallTimeoutException t = ApiCallTimeoutException.create(left.toMillis());
        t.addSuppressed(e);
        throw t;
      }
      if (e instanceof RuntimeException r && !(e instanceof IllegalArgumentException)) {
        throw r;
      }
      // Worded as the SDK client words it; it makes one attempt (the Retrier makes the others).
      throw SdkClientException.builder().message("Unable to execute HTTP request: "
          + e.getMessage() + " (SDK Attempt Count: 1)").cause(e).build();
    } finally {
      if (dog != null) {
        dog.done();
      }
    }
  }

  private static byte[] readAll(InputStream in, long start, long leftNanos, Watchdog dog)
      throws IOException {
    try (in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
        if (out.size() > MAX_BODY) {
          throw new IOException("the answer is larger than " + MAX_BODY + " bytes");
        }
        if (System.nanoTime() - start >= leftNanos || dog.fired) {
          throw new IOException("deadline reached while reading the answer");
        }
      }
      return out.toByteArray();
    }
  }

  /**
   * Cuts the connection off at the deadline, wherever the call blocks (a server that sends its
   * headers one byte at a time is never caught by the socket timeout alone).
   */
  private static final class Watchdog extends Thread {
    private final HttpURLConnection connection;
    private final long nanos;
    volatile boolean fired;

    Watchdog(HttpURLConnection connection, long nanos) {
      super("oidc-ecr-deadline");
      this.connection = connection;
      this.nanos = nanos;
      setDaemon(true);
      start();
    }

    @Override
    public void run() {
      try {
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
      } catch (InterruptedException e) {
        return;
      }
      fired = true;
      connection.disconnect();
    }

    void done() {
      interrupt();
    }
  }

  private static int millis(Duration d) {
    long ms = Math.max(1, d.toMillis());
    return (int) Math.min(Integer.MAX_VALUE, ms);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Percent-encodes as the SDK's query marshaller does (RFC 3986 unreserved kept). */
  static String formEncode(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + 16);
    for (byte b : bytes) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  // --- answers -------------------------------------------------------------------------------

  private XMLInputFactory xml() {
    XMLInputFactory f = xml;
    if (f == null) {
      f = XMLInputFactory.newFactory();
      f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
      f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
      xml = f;
    }
    return f;
  }

  /**
   * Reads the text of every leaf element, keyed by its path below the result element (the root's
   * first child, which is where the SDK reads a Query answer's result) when {@code result}, else
   * below the root.
   */
  private Map<String, String> readXml(byte[] body, boolean result) throws XMLStreamException {
    Map<String, String> out = new LinkedHashMap<>();
    XMLStreamReader r = xml().createXMLStreamReader(new ByteArrayInputStream(body));
    try {
      List<String> path = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      int depth = 0;
      boolean inResult = !result;
      boolean resultSeen = false;
      while (r.hasNext()) {
        int ev = r.next();
        if (ev == XMLStreamConstants.START_ELEMENT) {
          depth++;
          text.setLength(0);
          if (result && depth == 2) {
            inResult = !resultSeen;
            resultSeen = true;
            continue;
          }
          if (inResult && depth > (result ? 2 : 1)) {
            path.add(r.getLocalName());
          }
        } else if (ev == XMLStreamConstants.CHARACTERS || ev == XMLStreamConstants.CDATA) {
          text.append(r.getText());
        } else if (ev == XMLStreamConstants.END_ELEMENT) {
          if (inResult && depth > (result ? 2 : 1)) {
            out.putIfAbsent(String.join("/", path), text.toString());
            path.remove(path.size() - 1);
          }
          if (result && depth == 2) {
            inResult = false;
          }
          text.setLength(0);
          depth--;
        }
      }
    } finally {
      r.close();
    }
    return out;
  }

  private static List<AuthorizationData> readAuthorizationData(byte[] body) throws IOException {
    List<AuthorizationData> out = new ArrayList<>();
    if (body.length == 0) {
      return out;
    }
    try (JsonParser p = Json.MAPPER.getFactory().createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("the answer is not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        if (field.equals("authorizationData") && t == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            String token = null;
            Instant expires = null;
            String proxy = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String name = p.currentName();
              JsonToken v = p.nextToken();
              switch (name) {
                case "authorizationToken" -> token = v == JsonToken.VALUE_NULL ? null : p.getText();
                case "proxyEndpoint" -> proxy = v == JsonToken.VALUE_NULL ? null : p.getText();
                case "expiresAt" -> expires = v == JsonToken.VALUE_NULL ? null
                    : epochSeconds(p.getText());
                default -> p.skipChildren();
              }
            }
            out.add(new AuthorizationData(token, expires, proxy));
          }
        } else {
          p.skipChildren();
        }
      }
    }
    return out;
  }

  /** ECR's timestamps: epoch seconds, fractions allowed, read to the millisecond. */
  private static Instant epochSeconds(String text) {
    BigDecimal seconds = new BigDecimal(text.strip());
    return Instant.ofEpochMilli(seconds.movePointRight(3).longValue());
  }

  private static Instant parseIsoInstant(String text, Answer a) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text.strip());
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(text.strip()).toInstant();
      } catch (DateTimeParseException e2) {
        throw unmarshallError(a, e2);
      }
    }
  }

  // --- errors, as the SDK clients throw them -------------------------------------------------

  /** Worded as the SDK client words an answer it cannot read. */
  private static SdkClientException unmarshallError(Answer a, Exception e) {
    String why = e instanceof XMLStreamException ? "Could not parse XML response."
        // The SDK reads JSON with its own copy of Jackson and names the parser's exception.
        : e instanceof com.fasterxml.jackson.core.JacksonException
            ? "software.amazon.awssdk.thirdparty.jackson.core." + e.getClass().getSimpleName()
                + ": " + e.getMessage()
            : e.getMessage();
    return SdkClientException.builder().message("Unable to unmarshall response (" + why
        + "). Response Code: " + a.status + ", Response Text: " + a.statusText
        + " (SDK Attempt Count: 1)").cause(e).build();
  }

  private AwsServiceException stsError(Answer a) {
    String code = null;
    String message = null;
    String requestId = a.requestId;
    try {
      Map<String, String> f = readXml(a.body, false);
      code = f.get("Error/Code");
      message = f.get("Error/Message");
      if (requestId == null) {
        requestId = f.get("RequestId");
      }
    } catch (XMLStreamException | RuntimeException e) {
      // Not XML: not AWS answering (a proxy's page, another server's 404).
    }
    StsException.Builder b;
    if (code == null) {
      b = StsException.builder();
    } else {
      b = switch (code) {
        case "InvalidIdentityToken" -> InvalidIdentityTokenException.builder();
        case "ExpiredTokenException" -> ExpiredTokenException.builder();
        case "IDPCommunicationError" -> IdpCommunicationErrorException.builder();
        case "IDPRejectedClaim" -> IdpRejectedClaimException.builder();
        case "MalformedPolicyDocument" -> MalformedPolicyDocumentException.builder();
        case "PackedPolicyTooLarge" -> PackedPolicyTooLargeException.builder();
        case "RegionDisabledException" -> RegionDisabledException.builder();
        default -> StsException.builder();
      };
    }
    b.awsErrorDetails(details(a, code, message, "Sts")).statusCode(a.status)
        .requestId(requestId).message(message);
    return (AwsServiceException) b.build();
  }

  private static AwsServiceException ecrError(Answer a) {
    String code = null;
    String message = null;
    if (a.errorType != null && !a.errorType.isBlank()) {
      code = a.errorType;
      int colon = code.indexOf(':');
      if (colon >= 0) {
        code = code.substring(0, colon);
      }
    }
    try {
      if (a.body.length > 0) {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(a.body)) {
          if (p.nextToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String name = p.currentName();
              JsonToken v = p.nextToken();
              if (v == JsonToken.VALUE_STRING) {
                if (name.equals("__type") && code == null) {
                  code = p.getText();
                } else if (message == null && (name.equals("message")
                    || name.equals("Message") || name.equals("errorMessage"))) {
                  message = p.getText();
                }
              } else {
                p.skipChildren();
              }
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not JSON: not AWS answering.
    }
    if (code != null) {
      int hash = code.lastIndexOf('#');
      if (hash >= 0) {
        code = code.substring(hash + 1);
      }
      if (code.isBlank()) {
        code = null;
      }
    }
    return (AwsServiceException) EcrException.builder()
        .awsErrorDetails(details(a, code, message, "Ecr")).statusCode(a.status)
        .requestId(a.requestId).message(message).build();
  }

  private static AwsErrorDetails details(Answer a, String code, String message, String service) {
    SdkHttpResponse.Builder http = SdkHttpResponse.builder().statusCode(a.status);
    if (a.contentType != null) {
      http.putHeader("Content-Type", a.contentType);
    }
    return AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName(service)
        .sdkHttpResponse(http.build()).build();
  }
}

package dev.oidcecr.core.internal.cli;

import dev.oidcecr.policies.BitbucketTrustBuilder;
import dev.oidcecr.policies.BuildkiteTrustBuilder;
import dev.oidcecr.policies.CircleciTrustBuilder;
import dev.oidcecr.policies.EksTrustBuilder;
import dev.oidcecr.policies.GithubActionsTrustBuilder;
import dev.oidcecr.policies.GitlabTrustBuilder;
import dev.oidcecr.policies.IssuerProfile;
import dev.oidcecr.policies.IssuerTrustBuilder;
import dev.oidcecr.policies.OnaTrustBuilder;
import dev.oidcecr.policies.PolicyException;
import dev.oidcecr.policies.TrustPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The allow flags of {@code oidc-ecr setup} per issuer profile, and the typed trust builder call
 * each one stands for. The same table turns builder calls named by library messages
 * ({@code TrustPolicy.githubActions().repository("acme/app")}) back into flags
 * ({@link #toFlags(String)}), so that one message source serves both audiences.
 *
 * <p>One {@link Shape} per profile; {@code gitpod} keeps the URL flags {@code AwsSetup} itself
 * takes, so it has no shape here.
 */
final class ProfileFlags {
  private ProfileFlags() {}

  /** One flag: its name, what it takes, and the builder call it makes. */
  record Flag(String name, String metavar, String call, String help,
      BiConsumer<IssuerTrustBuilder<?>, String> apply) {
    boolean takesValue() {
      return !metavar.isEmpty();
    }
  }

  /** The flags of one profile and how its builder is made from the issuer URL or flags. */
  record Shape(String profileId, String factory, List<Flag> flags,
      Function<Map<String, String>, IssuerTrustBuilder<?>> create) {
    Optional<Flag> flag(String name) {
      return flags.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    Optional<Flag> byCall(String call) {
      return flags.stream().filter(f -> f.call().equals(call)).findFirst();
    }
  }

  private static final Pattern SLASH_PAIR = Pattern.compile("([^/]+)/([^/]+)");

  private static String[] pair(String flag, String value, String example) {
    Matcher m = SLASH_PAIR.matcher(value);
    if (!m.matches()) {
      throw new Args.UsageException("--" + flag + " \"" + value + "\" must be " + example);
    }
    return new String[] {m.group(1), m.group(2)};
  }

  private static <B extends IssuerTrustBuilder<B>> Flag flag(String name, String metavar,
      String call, String help, Class<B> type, BiConsumer<B, String> apply) {
    return new Flag(name, metavar, call, help, (b, v) -> apply.accept(type.cast(b), v));
  }

  private static final Flag SUBJECT = new Flag("allow-subject", "PATTERN", "subjectPattern",
      "a raw sub value or pattern, linted by the issuer's grammar (repeatable)",
      (b, v) -> b.subjectPattern(v));

  private static String required(Map<String, String> o, String flag, String what) {
    String v = o.get(flag);
    if (v == null) {
      throw new Args.UsageException("--" + flag + " is required for this issuer: " + what);
    }
    return v;
  }

  private static final Map<String, Shape> SHAPES = new LinkedHashMap<>();

  private static void shape(String id, String factory, Function<Map<String, String>,
      IssuerTrustBuilder<?>> create, Flag... flags) {
    List<Flag> all = new ArrayList<>(List.of(flags));
    all.add(SUBJECT);
    SHAPES.put(id, new Shape(id, factory, List.copyOf(all), create));
  }

  static {
    // Sub grammars: DESIGN.md section 7b; each builder cites the issuer's documentation.
    shape("github-actions", "githubActions",
        o -> o.containsKey("issuer-url")
            ? TrustPolicy.githubActions().issuer(o.get("issuer-url"))
            : TrustPolicy.githubActions(),
        flag("allow-repository", "OWNER/REPO", "repository", "every job of the repository"
            + " (repo:OWNER/REPO:*) until narrowed (repeatable)",
            GithubActionsTrustBuilder.class, GithubActionsTrustBuilder::repository),
        flag("allow-repository-id", "OWNER_ID/REPO_ID", "immutableIds", "write the repository"
            + " before it in GitHub's immutable form repo:OWNER@ID/REPO@ID",
            GithubActionsTrustBuilder.class, (b, v) -> {
              String[] p = pair("allow-repository-id", v, "OWNER_ID/REPO_ID, such as"
                  + " 1342004/892104551 (the repository_owner_id and repository_id claims)");
              b.immutableIds(p[0], p[1]);
            }),
        flag("allow-branch", "NAME", "branch", "narrow the repository before it to one branch",
            GithubActionsTrustBuilder.class, GithubActionsTrustBuilder::branch),
        flag("allow-tag", "NAME", "tag", "narrow the repository before it to one tag",
            GithubActionsTrustBuilder.class, GithubActionsTrustBuilder::tag),
        flag("allow-environment", "NAME", "environment", "narrow the repository before it to"
            + " jobs of one deployment environment", GithubActionsTrustBuilder.class,
            GithubActionsTrustBuilder::environment),
        flag("allow-pull-requests", "", "pullRequests", "also allow the repository's pull"
            + " request jobs", GithubActionsTrustBuilder.class, (b, v) -> b.pullRequests()));
    shape("ona", "ona",
        o -> TrustPolicy.ona(),
        flag("allow-organization", "ORG_ID", "organization", "the Ona organization id (once)",
            OnaTrustBuilder.class, OnaTrustBuilder::organization),
        flag("allow-project", "PROJECT_ID", "project", "the environments of one project"
            + " (repeatable)", OnaTrustBuilder.class, OnaTrustBuilder::project),
        flag("allow-environment", "ENVIRONMENT_ID", "environment", "one environment without a"
            + " project (repeatable)", OnaTrustBuilder.class, OnaTrustBuilder::environment),
        flag("ona-token-version", "2|3", "tokenVersion", "the organization's token version"
            + " (default 3)", OnaTrustBuilder.class, (b, v) -> {
              if (!v.equals("2") && !v.equals("3")) {
                throw new Args.UsageException("--ona-token-version \"" + v + "\" must be 3"
                    + " (current) or 2, as on the organization's OIDC Token Configuration page");
              }
              b.tokenVersion(Integer.parseInt(v));
            }));
    shape("gitlab", "gitlab",
        o -> o.containsKey("issuer-url") ? TrustPolicy.gitlab(o.get("issuer-url"))
            : TrustPolicy.gitlab(),
        flag("allow-project", "GROUP/PROJECT", "project", "every job of the project until"
            + " narrowed (repeatable)", GitlabTrustBuilder.class, GitlabTrustBuilder::project),
        flag("allow-branch", "NAME", "branch", "narrow the project before it to one branch"
            + " (the bare name: main, not refs/heads/main)", GitlabTrustBuilder.class,
            GitlabTrustBuilder::branch),
        flag("allow-tag", "NAME", "tag", "narrow the project before it to one tag",
            GitlabTrustBuilder.class, GitlabTrustBuilder::tag));
    shape("eks", "eks",
        o -> TrustPolicy.eks(required(o, "issuer-url", "the cluster's OIDC issuer (aws eks"
            + " describe-cluster --query cluster.identity.oidc.issuer)")),
        flag("allow-service-account", "NAMESPACE/NAME", "serviceAccount", "pods running as"
            + " this service account (repeatable)", EksTrustBuilder.class, (b, v) -> {
              String[] p = pair("allow-service-account", v, "NAMESPACE/NAME, such as"
                  + " ci/puller");
              b.serviceAccount(p[0], p[1]);
            }));
    shape("circleci", "circleci",
        o -> TrustPolicy.circleci(o.containsKey("circleci-org-id") ? o.get("circleci-org-id")
            : lastSegment(required(o, "circleci-org-id", "the organization id (Organization"
                + " Settings > Overview), or --issuer-url https://oidc.circleci.com/org/ORG_ID"),
                o.get("issuer-url"))),
        flag("allow-project", "PROJECT_ID", "project", "jobs of one project, any user"
            + " (repeatable)", CircleciTrustBuilder.class, CircleciTrustBuilder::project));
    shape("bitbucket", "bitbucket",
        o -> TrustPolicy.bitbucket(o.containsKey("bitbucket-workspace")
            ? o.get("bitbucket-workspace")
            : required(o, "bitbucket-workspace", "the workspace slug, as in"
                + " bitbucket.org/WORKSPACE")),
        flag("allow-repository", "REPOSITORY_UUID", "repository", "every step of the"
            + " repository (repeatable)", BitbucketTrustBuilder.class,
            BitbucketTrustBuilder::repository),
        flag("allow-environment", "ENVIRONMENT_UUID", "deploymentEnvironment", "narrow the"
            + " repository before it to one deployment environment",
            BitbucketTrustBuilder.class, BitbucketTrustBuilder::deploymentEnvironment));
    shape("buildkite", "buildkite",
        o -> TrustPolicy.buildkite(),
        flag("buildkite-organization", "SLUG", "organization", "the organization slug (once)",
            BuildkiteTrustBuilder.class, BuildkiteTrustBuilder::organization),
        flag("allow-pipeline", "SLUG", "pipeline", "every build of the pipeline until narrowed"
            + " (repeatable)", BuildkiteTrustBuilder.class, BuildkiteTrustBuilder::pipeline),
        flag("allow-branch", "NAME", "branch", "narrow the pipeline before it to one branch",
            BuildkiteTrustBuilder.class, BuildkiteTrustBuilder::branch));
  }

  /** Options that pick the builder (not rules): they go to the factory. */
  static final Set<String> FACTORY_OPTIONS =
      Set.of("issuer-url", "circleci-org-id", "bitbucket-workspace");

  private static String lastSegment(String fallback, String url) {
    if (url == null) {
      return fallback;
    }
    return url.replaceFirst("/+$", "").substring(url.replaceFirst("/+$", "").lastIndexOf('/')
        + 1);
  }

  /** Returns the shape of a profile, if it has one ({@code gitpod} and {@code generic} do not). */
  static Optional<Shape> of(String profileId) {
    return Optional.ofNullable(SHAPES.get(profileId));
  }

  /** Returns every option name any profile takes (for the parser), values and flags apart. */
  static Set<String> valued() {
    Set<String> out = new TreeSet<>(FACTORY_OPTIONS);
    SHAPES.values().forEach(s -> s.flags().stream().filter(Flag::takesValue)
        .forEach(f -> out.add(f.name())));
    return out;
  }

  static Set<String> flags() {
    Set<String> out = new TreeSet<>();
    SHAPES.values().forEach(s -> s.flags().stream().filter(f -> !f.takesValue())
        .forEach(f -> out.add(f.name())));
    return out;
  }

  /** Returns the profile ids {@code --issuer} takes. */
  static List<String> ids() {
    List<String> out = new ArrayList<>(List.of("gitpod"));
    out.addAll(SHAPES.keySet());
    return out;
  }

  /**
   * Builds the profile's typed trust builder from the options in command-line order, or throws
   * a usage error in flag words.
   *
   * @param known every option name the setup command takes besides the allow rules
   */
  static IssuerTrustBuilder<?> builder(Shape shape, List<Map.Entry<String, String>> options,
      Set<String> known) {
    Map<String, String> factory = new LinkedHashMap<>();
    options.stream().filter(e -> FACTORY_OPTIONS.contains(e.getKey()))
        .forEach(e -> factory.put(e.getKey(), e.getValue()));
    IssuerTrustBuilder<?> b;
    try {
      b = shape.create().apply(factory);
    } catch (PolicyException e) {
      throw new Args.UsageException(e.getMessage());
    }
    boolean anyRule = false;
    for (Map.Entry<String, String> o : options) {
      String name = o.getKey();
      Optional<Flag> f = shape.flag(name);
      if (f.isEmpty()) {
        if (!known.contains(name) && !FACTORY_OPTIONS.contains(name)) {
          throw new Args.UsageException("--" + name + " is not an option of --issuer "
              + shape.profileId() + ": its allow flags are " + names(shape));
        }
        continue;
      }
      try {
        f.get().apply().accept(b, o.getValue());
        anyRule = true;
      } catch (PolicyException e) {
        throw new Args.UsageException("--" + name + (f.get().takesValue() ? " "
            + o.getValue() : "") + ": " + callsToFlags(shape, toFlags(e.getMessage())));
      }
    }
    if (!anyRule) {
      throw new Args.UsageException("say who may assume the role with --issuer "
          + shape.profileId() + ": " + names(shape));
    }
    return b;
  }

  /** Returns the allow flags of a profile for messages: {@code --allow-repository OWNER/REPO, ...}. */
  static String names(Shape shape) {
    return String.join(", ", shape.flags().stream()
        .map(f -> "--" + f.name() + (f.takesValue() ? " " + f.metavar() : "")).toList());
  }

  /** What picks each profile's issuer, for the usage text. */
  private static final Map<String, String> ISSUER_USAGE = Map.of(
      "github-actions", "[--issuer-url URL]  (GHES or an enterprise's own issuer)",
      "ona", "",
      "gitlab", "[--issuer-url https://gitlab.example.com]  --audience AUD  (required)",
      "eks", "--issuer-url URL  (the cluster's identity.oidc.issuer)",
      "circleci", "--circleci-org-id ORG_ID  (or --issuer-url"
          + " https://oidc.circleci.com/org/ORG_ID)",
      "bitbucket", "--bitbucket-workspace SLUG  --audience AUD  (required: the OpenID"
          + " Connect settings' audience)",
      "buildkite", "");

  /** Returns the usage lines of every profile's flags. */
  static String usage() {
    StringBuilder out = new StringBuilder();
    for (Shape s : SHAPES.values()) {
      out.append(("  --issuer " + s.profileId() + " "
          + ISSUER_USAGE.getOrDefault(s.profileId(), "")).stripTrailing()).append('\n');
      for (Flag f : s.flags()) {
        if (f == SUBJECT) {
          continue;
        }
        String left = "    --" + f.name() + (f.takesValue() ? " " + f.metavar() : "");
        out.append(left.length() < 31 ? String.format("%-31s", left)
            : left + "\n" + " ".repeat(31));
        int col = 31;
        for (String word : f.help().split(" ")) {
          if (col > 31 && col + 1 + word.length() > 92) {
            out.append('\n').append(" ".repeat(31));
            col = 31;
          } else if (col > 31) {
            out.append(' ');
            col++;
          }
          out.append(word);
          col += word.length();
        }
        out.append('\n');
      }
    }
    return out.toString();
  }

  // A builder call chain as library messages write it: TrustPolicy.x(args).call(args)...
  private static final Pattern CHAIN = Pattern.compile(
      "TrustPolicy\\.([a-zA-Z]+)\\(([^()]*)\\)((?:\\.[a-zA-Z]+\\([^()]*\\))+)");
  private static final Pattern SETUP_AUDIENCE =
      Pattern.compile("AwsSetup audience\\(\"([^\"]*)\"\\)");
  private static final Pattern CALL = Pattern.compile("\\.([a-zA-Z]+)\\(([^()]*)\\)");

  /**
   * Returns the text with every typed trust builder chain it names written as the
   * {@code oidc-ecr setup} flags that make the same rules; chains of other builders stay.
   */
  static String toFlags(String text) {
    text = SETUP_AUDIENCE.matcher(text).replaceAll(r -> Matcher.quoteReplacement(
        "oidc-ecr setup --audience " + r.group(1)));
    if (!text.contains("TrustPolicy.")) {
      return text;
    }
    Matcher m = CHAIN.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      Optional<String> flags = chainToFlags(m.group(1), m.group(2), m.group(3));
      m.appendReplacement(out, Matcher.quoteReplacement(flags.orElse(m.group())));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static Optional<String> chainToFlags(String factory, String factoryArgs,
      String calls) {
    Optional<Shape> shape = SHAPES.values().stream()
        .filter(s -> s.factory().equals(factory)).findFirst();
    if (factory.equals("gitpod")) {
      StringBuilder s = new StringBuilder("oidc-ecr setup --issuer gitpod");
      Matcher c = CALL.matcher(calls);
      while (c.find()) {
        String flag = switch (c.group(1)) {
          case "repository" -> "--allow-repository";
          case "organization" -> "--allow-organization";
          case "subjectPattern" -> "--allow-subject";
          default -> null;
        };
        if (flag != null) {
          s.append(' ').append(flag).append(' ').append(arg(c.group(2), "URL"));
        }
      }
      return Optional.of(s.toString());
    }
    if (shape.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder s = new StringBuilder("oidc-ecr setup --issuer " + shape.get().profileId());
    String fa = factoryArgs.strip();
    if (!fa.isEmpty()) {
      String option = switch (shape.get().profileId()) {
        case "circleci" -> "--circleci-org-id";
        case "bitbucket" -> "--bitbucket-workspace";
        default -> "--issuer-url";
      };
      s.append(' ').append(option).append(' ').append(arg(fa, option.equals("--issuer-url")
          ? "URL" : "ID"));
    }
    Matcher c = CALL.matcher(calls);
    while (c.find()) {
      Optional<Flag> f = shape.get().byCall(c.group(1));
      if (f.isEmpty()) {
        continue; // account(...), partition(...): the setup fills them in
      }
      s.append(" --").append(f.get().name());
      if (f.get().takesValue()) {
        String[] args = c.group(2).split(",");
        List<String> values = new ArrayList<>();
        for (String a : args) {
          values.add(arg(a, f.get().metavar()));
        }
        s.append(' ').append(String.join("/", values));
      }
    }
    return Optional.of(s.toString());
  }

  private static final Pattern ANY_CALL = Pattern.compile("\\b([a-zA-Z]+)\\(([^()]*)\\)");

  /** Returns the text with the profile builder's own calls ({@code repository("acme/app")}) as flags. */
  static String callsToFlags(Shape shape, String text) {
    Matcher m = ANY_CALL.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      Optional<Flag> f = shape.byCall(m.group(1));
      String words = f.map(flag -> "--" + flag.name() + (flag.takesValue()
          ? " " + (m.group(2).isBlank() || m.group(2).equals("...") ? flag.metavar()
              : arg(m.group(2), flag.metavar())) : "")).orElse(m.group());
      m.appendReplacement(out, Matcher.quoteReplacement(words));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** A quoted argument's text, or the flag's metavar for a placeholder such as {@code orgId}. */
  private static String arg(String javaArg, String metavar) {
    String a = javaArg.strip();
    if (a.matches("[0-9]+")) {
      return a;
    }
    if (a.length() >= 2 && a.startsWith("\"") && a.endsWith("\"")) {
      String v = a.substring(1, a.length() - 1);
      return v.matches("[A-Za-z0-9@._:/{}-]+") ? v : "'" + v.replace("'", "'\\''") + "'";
    }
    return metavar;
  }

  /** Returns the profile an {@code --issuer} value names: an id, or an issuer URL to detect. */
  static IssuerProfile profile(String issuer) {
    if (issuer.contains("://")) {
      try {
        return IssuerProfile.detect(issuer);
      } catch (PolicyException e) {
        throw new Args.UsageException("--issuer " + issuer + ": " + e.getMessage());
      }
    }
    return IssuerProfile.byId(issuer).filter(p -> !p.id().equals("generic"))
        .orElseThrow(() -> new Args.UsageException("--issuer \"" + issuer + "\" is neither a"
            + " profile id (" + String.join(", ", ids()) + ") nor an issuer URL"));
  }
}

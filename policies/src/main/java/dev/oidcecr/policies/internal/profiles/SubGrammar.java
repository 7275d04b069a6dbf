package dev.oidcecr.policies.internal.profiles;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code sub} grammar of an issuer: alternatives, each a sequence of literal texts and named
 * fields. Answers, for an IAM pattern ({@code *} any run, {@code ?} one character), whether it
 * matches some valid subject at all, whether a wildcard extends a literal tenant or scope name
 * (so it also matches a sibling, as {@code repo:acme/app*} matches {@code repo:acme/app-evil}),
 * and whether it leaves a whole tenant or scope field to a wildcard.
 *
 * <p>The answers come from running the pattern and the grammar side by side (a product of the two
 * automata), breadth first, so each answer carries a shortest example subject.
 */
public final class SubGrammar {

  /** What a field says about who may assume the role. */
  public enum Role {
    /** Not an identity: a branch, a step, a commit. */
    NONE,
    /** The customer: GitHub owner, Ona organization, GitLab namespace, EKS namespace. */
    TENANT,
    /** A unit inside the tenant: repository, project, pipeline, service account. */
    SCOPE
  }

  /** Whether a character may stand at an offset of a field. */
  @FunctionalInterface
  public interface CharRule {
    boolean test(int offset, char c);
  }

  /** An element of an alternative. */
  public sealed interface Element permits Lit, Field {}

  /** Literal text. */
  public record Lit(String text) implements Element {}

  /**
   * A named field of {@code min} to {@code max} characters. {@code separators} end a name
   * segment inside the field (the {@code /} of a GitLab namespace), {@code samples} are the
   * characters tried when a wildcard stands for one of the field's characters.
   */
  public record Field(String name, Role role, CharRule rule, int min, int max, String separators,
      String samples) implements Element {}

  /** A labelled alternative, such as {@code V3} or {@code immutable}. */
  public record Alternative(String label, List<Element> elements) {}

  /** The answers for one pattern against one alternative. */
  public record Analysis(String label, Optional<String> example, Optional<Sibling> sibling,
      Optional<String> wildTenant, Optional<String> wildScope) {
    /** Returns whether the pattern matches at least one valid subject. */
    public boolean matchesSome() {
      return example.isPresent();
    }
  }

  /** A subject the pattern also matches whose {@code field} differs from the literal name. */
  public record Sibling(String field, String example) {}

  private final List<Alternative> alternatives;

  private SubGrammar(List<Alternative> alternatives) {
    this.alternatives = List.copyOf(alternatives);
  }

  /** Returns a grammar of the given alternatives. */
  public static SubGrammar of(Alternative... alternatives) {
    return new SubGrammar(List.of(alternatives));
  }

  /** Starts an alternative. */
  public static AltBuilder alt(String label) {
    return new AltBuilder(label);
  }

  /** Builds an {@link Alternative}. */
  public static final class AltBuilder {
    private final String label;
    private final List<Element> elements = new ArrayList<>();

    AltBuilder(String label) {
      this.label = label;
    }

    public AltBuilder lit(String text) {
      elements.add(new Lit(text));
      return this;
    }

    public AltBuilder field(Field field) {
      elements.add(field);
      return this;
    }

    public Alternative build() {
      return new Alternative(label, elements);
    }
  }

  /** Returns the alternatives. */
  public List<Alternative> alternatives() {
    return alternatives;
  }

  // ------------------------------------------------------------------ common fields

  /** A lower-case UUID, 36 characters ({@code 8-4-4-4-12}). */
  public static Field uuid(String name, Role role) {
    return new Field(name, role, SubGrammar::uuidChar, 36, 36, "", "0a-");
  }

  static boolean uuidChar(int offset, char c) {
    if (offset == 8 || offset == 13 || offset == 18 || offset == 23) {
      return c == '-';
    }
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }

  /**
   * A field of characters from a class such as {@code A-Za-z0-9._-} (ranges {@code X-Y}; a
   * {@code -} first or last is literal), at least one.
   */
  public static Field chars(String name, Role role, String charClass, String separators) {
    CharRule rule = charClass(charClass);
    return new Field(name, role, rule, 1, Integer.MAX_VALUE, separators, "x-0.");
  }

  /** Returns the rule of a character class such as {@code a-z0-9-}. */
  public static CharRule charClass(String spec) {
    StringBuilder singles = new StringBuilder();
    List<char[]> ranges = new ArrayList<>();
    for (int i = 0; i < spec.length(); i++) {
      if (i + 2 < spec.length() && spec.charAt(i + 1) == '-') {
        ranges.add(new char[] {spec.charAt(i), spec.charAt(i + 2)});
        i += 2;
      } else {
        singles.append(spec.charAt(i));
      }
    }
    String literal = singles.toString();
    return (o, c) -> {
      if (literal.indexOf(c) >= 0) {
        return true;
      }
      for (char[] r : ranges) {
        if (c >= r[0] && c <= r[1]) {
          return true;
        }
      }
      return false;
    };
  }

  /** A field of any characters except the given ones, at least {@code min}. */
  public static Field anyExcept(String name, Role role, String forbidden, int min) {
    return new Field(name, role, (o, c) -> c >= ' ' && forbidden.indexOf(c) < 0, min,
        Integer.MAX_VALUE, "/", "x-0.");
  }

  // ------------------------------------------------------------------ parsing

  /** A subject split into its fields, with the alternative it matched. */
  public record Parsed(String label, Map<String, String> fields) {}

  /** Parses an exact subject, or returns empty when no alternative accepts it. */
  public Optional<Parsed> parse(String sub) {
    for (Alternative a : alternatives) {
      Map<String, String> out = new LinkedHashMap<>();
      if (parse(a.elements(), 0, sub, 0, out)) {
        return Optional.of(new Parsed(a.label(), Map.copyOf(out)));
      }
    }
    return Optional.empty();
  }

  private static boolean parse(List<Element> els, int ei, String s, int si,
      Map<String, String> out) {
    if (ei == els.size()) {
      return si == s.length();
    }
    Element e = els.get(ei);
    if (e instanceof Lit lit) {
      return s.startsWith(lit.text(), si) && parse(els, ei + 1, s, si + lit.text().length(), out);
    }
    Field f = (Field) e;
    int end = si;
    while (end < s.length() && end - si < f.max() && f.rule().test(end - si, s.charAt(end))) {
      end++;
    }
    // Longest first, then shorter: a field never holds the text that follows it if it can help it.
    for (int k = end; k - si >= f.min(); k--) {
      out.put(f.name(), s.substring(si, k));
      if (parse(els, ei + 1, s, k, out)) {
        return true;
      }
      out.remove(f.name());
    }
    return false;
  }

  // ------------------------------------------------------------------ pattern analysis

  /** Analyses a pattern against every alternative, in order. */
  public List<Analysis> analyse(String pattern, boolean ignoreCase) {
    List<Analysis> out = new ArrayList<>();
    for (Alternative a : alternatives) {
      out.add(analyse(a, pattern, ignoreCase));
    }
    return out;
  }

  private record State(int pi, int ei, int off, boolean fLit, boolean fWild, int last,
      int sibling, int wildTenant, int wildScope) {}

  private record Step(State from, char c) {}

  private static final int NONE = -1;

  private static Analysis analyse(Alternative a, String pattern, boolean ignoreCase) {
    List<Element> els = a.elements();
    Map<State, Step> seen = new HashMap<>();
    Deque<State> queue = new ArrayDeque<>();
    State start = normalize(els, new State(0, 0, 0, false, false, 0, NONE, NONE, NONE));
    seen.put(start, null);
    queue.add(start);
    State anyAccept = null;
    State siblingAccept = null;
    State tenantAccept = null;
    State scopeAccept = null;
    while (!queue.isEmpty()) {
      State s = queue.poll();
      if (s.pi() == pattern.length() && s.ei() == els.size()) {
        anyAccept = anyAccept == null ? s : anyAccept;
        siblingAccept = siblingAccept == null && s.sibling() != NONE ? s : siblingAccept;
        tenantAccept = tenantAccept == null && s.wildTenant() != NONE ? s : tenantAccept;
        scopeAccept = scopeAccept == null && s.wildScope() != NONE ? s : scopeAccept;
        continue;
      }
      for (Map.Entry<State, Character> next : successors(els, pattern, ignoreCase, s)) {
        State n = normalize(els, next.getKey());
        if (!seen.containsKey(n)) {
          seen.put(n, new Step(s, next.getValue()));
          queue.add(n);
        }
      }
    }
    return new Analysis(a.label(),
        Optional.ofNullable(anyAccept).map(s -> text(seen, s)),
        Optional.ofNullable(siblingAccept).map(s ->
            new Sibling(((Field) els.get(s.sibling())).name(), text(seen, s))),
        Optional.ofNullable(tenantAccept).map(s -> ((Field) els.get(s.wildTenant())).name()),
        Optional.ofNullable(scopeAccept).map(s -> ((Field) els.get(s.wildScope())).name()));
  }

  private static String text(Map<State, Step> seen, State end) {
    StringBuilder sb = new StringBuilder();
    for (Step st = seen.get(end); st != null; st = seen.get(st.from())) {
      if (st.c() != 0) {
        sb.append(st.c());
      }
    }
    return sb.reverse().toString();
  }

  /** Moves past fully consumed literals. */
  private static State normalize(List<Element> els, State s) {
    while (s.ei() < els.size() && els.get(s.ei()) instanceof Lit lit
        && s.off() == lit.text().length()) {
      s = new State(s.pi(), s.ei() + 1, 0, false, false, 0, s.sibling(), s.wildTenant(),
          s.wildScope());
    }
    return s;
  }

  private static List<Map.Entry<State, Character>> successors(List<Element> els, String pattern,
      boolean ignoreCase, State s) {
    List<Map.Entry<State, Character>> out = new ArrayList<>();
    boolean patternLeft = s.pi() < pattern.length();
    char p = patternLeft ? pattern.charAt(s.pi()) : 0;
    if (patternLeft && p == '*') {
      // The star stands for nothing more.
      out.add(Map.entry(withPi(s, s.pi() + 1), (char) 0));
    }
    if (s.ei() < els.size()) {
      Element e = els.get(s.ei());
      if (e instanceof Field f && s.off() >= f.min()) {
        // End the field here (epsilon).
        out.add(Map.entry(endField(f, s), (char) 0));
      }
      if (patternLeft) {
        boolean wild = p == '*' || p == '?';
        int nextPi = p == '*' ? s.pi() : s.pi() + 1;
        if (e instanceof Lit lit) {
          char g = lit.text().charAt(s.off());
          if (wild || same(p, g, ignoreCase)) {
            out.add(Map.entry(new State(nextPi, s.ei(), s.off() + 1, false, false, 0,
                s.sibling(), s.wildTenant(), s.wildScope()), g));
          }
        } else {
          Field f = (Field) e;
          if (s.off() < f.max()) {
            Character c = wild ? sample(f, s.off()) : fieldAccepts(f, s.off(), p, ignoreCase);
            if (c != null) {
              out.add(Map.entry(consume(f, s, nextPi, c, wild), c));
            }
          }
        }
      }
    }
    return out;
  }

  private static State withPi(State s, int pi) {
    return new State(pi, s.ei(), s.off(), s.fLit(), s.fWild(), s.last(), s.sibling(),
        s.wildTenant(), s.wildScope());
  }

  private static State endField(Field f, State s) {
    int tenant = s.wildTenant();
    int scope = s.wildScope();
    if (s.fWild() && !s.fLit()) {
      if (f.role() == Role.TENANT && tenant == NONE) {
        tenant = s.ei();
      } else if (f.role() == Role.SCOPE && scope == NONE) {
        scope = s.ei();
      }
    }
    return new State(s.pi(), s.ei() + 1, 0, false, false, 0, s.sibling(), tenant, scope);
  }

  private static State consume(Field f, State s, int nextPi, char c, boolean wild) {
    int kind = wild ? 2 : 1;
    int sibling = s.sibling();
    int last = kind;
    if (f.separators().indexOf(c) >= 0) {
      last = 0;
    } else if (f.role() != Role.NONE && s.last() != 0 && s.last() != kind && sibling == NONE) {
      sibling = s.ei();
    }
    int off = f.max() == Integer.MAX_VALUE ? Math.min(s.off() + 1, f.min()) : s.off() + 1;
    return new State(nextPi, s.ei(), off, s.fLit() || !wild, s.fWild() || wild, last, sibling,
        s.wildTenant(), s.wildScope());
  }

  private static Character sample(Field f, int off) {
    for (int i = 0; i < f.samples().length(); i++) {
      char c = f.samples().charAt(i);
      if (f.rule().test(off, c)) {
        return c;
      }
    }
    return null;
  }

  private static Character fieldAccepts(Field f, int off, char p, boolean ignoreCase) {
    if (f.rule().test(off, p)) {
      return p;
    }
    if (ignoreCase) {
      char lower = Character.toLowerCase(p);
      char upper = Character.toUpperCase(p);
      if (f.rule().test(off, lower)) {
        return lower;
      }
      if (f.rule().test(off, upper)) {
        return upper;
      }
    }
    return null;
  }

  private static boolean same(char p, char g, boolean ignoreCase) {
    return p == g || (ignoreCase && Character.toLowerCase(p) == Character.toLowerCase(g));
  }
}

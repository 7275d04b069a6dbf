package dev.oidcecr.policies.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The hand-written matchers agree with simple reference implementations. */
class MatcherPropertyTest {

  @Property(tries = 2000)
  void glob_agreesWithRegex(@ForAll("patterns") String pattern, @ForAll("subjects") String value,
      @ForAll boolean ignoreCase) {
    StringBuilder regex = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
    }
    Pattern reference = Pattern.compile(regex.toString(),
        Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0));
    assertThat(Glob.wildcard(pattern, ignoreCase).matches(value))
        .as("%s ~ %s", pattern, value)
        .isEqualTo(reference.matcher(value).matches());
  }

  @Provide
  Arbitrary<String> patterns() {
    return Arbitraries.strings().withChars('a', 'b', 'A', ':', '/', '*', '?').ofMaxLength(8);
  }

  @Provide
  Arbitrary<String> subjects() {
    return Arbitraries.strings().withChars('a', 'b', 'A', 'B', ':', '/').ofMaxLength(10);
  }

  @Property(tries = 2000)
  void ipv4Cidr_agreesWithIntegerArithmetic(@ForAll int network, @ForAll int address,
      @ForAll @IntRange(min = 0, max = 32) int prefix) {
    long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
    boolean expected = ((network & mask) == (address & mask));
    IpCidr range = IpCidr.parse(v4(network) + "/" + prefix);
    assertThat(range.contains(v4(address))).isEqualTo(expected);
  }

  @Property(tries = 1000)
  void ipv6Cidr_agreesWithBigIntegerArithmetic(@ForAll("v6") BigInteger network,
      @ForAll("v6") BigInteger address, @ForAll @IntRange(min = 0, max = 128) int prefix) {
    BigInteger all = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
    BigInteger mask = all.shiftRight(prefix).xor(all);
    boolean expected = network.and(mask).equals(address.and(mask));
    assertThat(IpCidr.parse(v6(network) + "/" + prefix).contains(v6(address)))
        .isEqualTo(expected);
    // The compressed form names the same address.
    assertThat(IpCidr.parse(v6(address)).contains(v6Compressed(address))).isTrue();
  }

  @Provide
  Arbitrary<BigInteger> v6() {
    // Mostly-zero groups so that "::" compression is exercised.
    return Arbitraries.integers().between(0, 0xffff).list().ofSize(8)
        .map(groups -> {
          BigInteger v = BigInteger.ZERO;
          for (int i = 0; i < 8; i++) {
            int g = groups.get(i) % 3 == 0 ? groups.get(i) : 0;
            v = v.shiftLeft(16).or(BigInteger.valueOf(g));
          }
          return v;
        });
  }

  private static String v4(int a) {
    return ((a >>> 24) & 0xff) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "."
        + (a & 0xff);
  }

  private static String v6(BigInteger a) {
    StringBuilder sb = new StringBuilder();
    for (int i = 7; i >= 0; i--) {
      sb.append(Integer.toHexString(a.shiftRight(i * 16).intValue() & 0xffff));
      if (i > 0) {
        sb.append(':');
      }
    }
    return sb.toString();
  }

  private static String v6Compressed(BigInteger a) {
    return compress(v6(a));
  }

  /** Replaces the longest run of zero groups with "::". */
  private static String compress(String full) {
    String[] g = full.split(":");
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < g.length; ) {
      if (g[i].equals("0")) {
        int j = i;
        while (j < g.length && g[j].equals("0")) {
          j++;
        }
        if (j - i > bestLen) {
          bestStart = i;
          bestLen = j - i;
        }
        i = j;
      } else {
        i++;
      }
    }
    if (bestLen < 2) {
      return full;
    }
    String head = String.join(":", java.util.Arrays.copyOfRange(g, 0, bestStart));
    String tail = String.join(":", java.util.Arrays.copyOfRange(g, bestStart + bestLen, g.length));
    return head + "::" + tail;
  }
}

package dev.oidcecr.policies.internal;

import java.util.Arrays;

/**
 * An IPv4 or IPv6 address range in CIDR notation ({@code 203.0.113.0/24}, {@code 2001:db8::/32});
 * a bare address is a range of one. Parsed by hand so that no text is ever handed to the
 * resolver: a host name must be an error, not a DNS look-up.
 */
public final class IpCidr {
  private final String text;
  private final byte[] network;
  private final int prefix;

  private IpCidr(String text, byte[] network, int prefix) {
    this.text = text;
    this.network = network;
    this.prefix = prefix;
  }

  /**
   * Parses a range.
   *
   * @throws IllegalArgumentException when the text is not an IPv4 or IPv6 address or range
   */
  public static IpCidr parse(String text) {
    String addr = text;
    int slash = text.indexOf('/');
    byte[] bytes;
    int prefix;
    if (slash >= 0) {
      addr = text.substring(0, slash);
    }
    bytes = parseAddress(addr);
    if (bytes == null) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not an IP address or CIDR range: write it as 203.0.113.0/24 or"
              + " 2001:db8::/32");
    }
    int max = bytes.length * 8;
    if (slash >= 0) {
      String p = text.substring(slash + 1);
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException(
            "\"" + text + "\" has an invalid prefix length: use /0 to /" + max);
      }
      prefix = Integer.parseInt(p);
      if (prefix > max) {
        throw new IllegalArgumentException(
            "\"" + text + "\" has prefix length " + prefix + ": use /0 to /" + max);
      }
    } else {
      prefix = max;
    }
    return new IpCidr(text, bytes, prefix);
  }

  /** Returns whether the address (IPv4 or IPv6 text) lies in this range; false if not an IP. */
  public boolean contains(String address) {
    byte[] a = parseAddress(address);
    return a != null && contains(a);
  }

  /** Returns whether the address bytes (4 or 16) lie in this range. */
  public boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (address[full] & mask) == (network[full] & mask);
  }

  /** Returns the range as written. */
  @Override
  public String toString() {
    return text;
  }

  /** Returns the 4 or 16 bytes of an IPv4 or IPv6 literal, or null when it is not one. */
  public static byte[] parseAddress(String s) {
    if (s.indexOf(':') >= 0) {
      return parseV6(s);
    }
    return parseV4(s, 0, s.length());
  }

  private static byte[] parseV4(String s, int from, int to) {
    byte[] out = new byte[4];
    int part = 0;
    int i = from;
    while (part < 4) {
      int start = i;
      int value = 0;
      while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        value = value * 10 + (s.charAt(i) - '0');
        i++;
        if (i - start > 3) {
          return null;
        }
      }
      if (i == start || value > 255) {
        return null;
      }
      out[part++] = (byte) value;
      if (part < 4) {
        if (i >= to || s.charAt(i) != '.') {
          return null;
        }
        i++;
      }
    }
    return i == to ? out : null;
  }

  private static byte[] parseV6(String s) {
    if (s.isEmpty()) {
      return null;
    }
    int doubleColon = s.indexOf("::");
    if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
      return null;
    }
    byte[] out = new byte[16];
    if (doubleColon < 0) {
      return parseGroups(s, 0, s.length(), out, 0, true) == 16 ? out : null;
    }
    byte[] head = new byte[16];
    int headLen = doubleColon == 0 ? 0 : parseGroups(s, 0, doubleColon, head, 0, false);
    if (headLen < 0) {
      return null;
    }
    byte[] tail = new byte[16];
    int tailStart = doubleColon + 2;
    int tailLen = tailStart == s.length() ? 0 : parseGroups(s, tailStart, s.length(), tail, 0, true);
    if (tailLen < 0 || headLen + tailLen > 14) {
      return null;
    }
    System.arraycopy(head, 0, out, 0, headLen);
    System.arraycopy(tail, 0, out, 16 - tailLen, tailLen);
    return out;
  }

  /** Parses colon-separated hex groups (and a trailing dotted IPv4 if allowed); returns bytes. */
  private static int parseGroups(String s, int from, int to, byte[] out, int at, boolean v4Tail) {
    int i = from;
    int n = at;
    while (true) {
      int groupEnd = s.indexOf(':', i);
      if (groupEnd < 0 || groupEnd > to) {
        groupEnd = to;
      }
      String group = s.substring(i, groupEnd);
      if (v4Tail && groupEnd == to && group.indexOf('.') >= 0) {
        byte[] v4 = parseV4(s, i, to);
        if (v4 == null || n + 4 > 16) {
          return -1;
        }
        System.arraycopy(v4, 0, out, n, 4);
        return n + 4;
      }
      if (group.isEmpty() || group.length() > 4 || n + 2 > 16) {
        return -1;
      }
      int value = 0;
      for (int k = 0; k < group.length(); k++) {
        int d = hexDigit(group.charAt(k));
        if (d < 0) {
          return -1;
        }
        value = value * 16 + d;
      }
      out[n++] = (byte) (value >> 8);
      out[n++] = (byte) value;
      if (groupEnd == to) {
        return n;
      }
      i = groupEnd + 1;
    }
  }

  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpCidr && ((IpCidr) o).prefix == prefix
        && Arrays.equals(((IpCidr) o).network, network);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network) * 31 + prefix;
  }
}

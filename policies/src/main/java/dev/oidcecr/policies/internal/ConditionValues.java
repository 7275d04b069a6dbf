package dev.oidcecr.policies.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * Parses condition values of the non-string operator families the way IAM reads them. Each method
 * returns null for text that is not a value of its kind, so that the evaluator can treat a bad
 * request value as "does not match" and a bad policy value as a policy error.
 */
public final class ConditionValues {
  private ConditionValues() {}

  /** Returns the number, or null when the text is not a decimal number. */
  public static BigDecimal number(String s) {
    String t = s.trim();
    if (t.isEmpty()) {
      return null;
    }
    try {
      return new BigDecimal(t);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * Returns the instant, or null. Accepts ISO 8601 date-times with {@code Z} or an offset, dates
   * and local date-times (read as UTC, as AWS does), and epoch seconds (optionally with a
   * fraction).
   */
  public static Instant date(String s) {
    String t = s.trim();
    if (t.isEmpty()) {
      return null;
    }
    if (isEpoch(t)) {
      BigDecimal seconds = new BigDecimal(t);
      try {
        long whole = seconds.longValueExact();
        return Instant.ofEpochSecond(whole);
      } catch (ArithmeticException fraction) {
        BigDecimal floor = seconds.setScale(0, java.math.RoundingMode.FLOOR);
        long nanos = seconds.subtract(floor).movePointRight(9).longValue();
        return Instant.ofEpochSecond(floor.longValue(), nanos);
      }
    }
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException notOffset) {
      // fall through to the forms without an offset
    }
    try {
      return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException notLocal) {
      // fall through to a bare date
    }
    try {
      return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException notDate) {
      return null;
    }
  }

  private static boolean isEpoch(String t) {
    int i = t.charAt(0) == '-' ? 1 : 0;
    boolean digits = false;
    boolean dot = false;
    for (; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c >= '0' && c <= '9') {
        digits = true;
      } else if (c == '.' && !dot) {
        dot = true;
      } else {
        return false;
      }
    }
    return digits;
  }

  /** Returns TRUE or FALSE for {@code true}/{@code false} in any case, or null. */
  public static Boolean bool(String s) {
    String t = s.trim();
    if (t.equalsIgnoreCase("true")) {
      return Boolean.TRUE;
    }
    if (t.equalsIgnoreCase("false")) {
      return Boolean.FALSE;
    }
    return null;
  }

  /** Returns the bytes of base64 text, or null when it is not base64. */
  public static byte[] base64(String s) {
    try {
      return Base64.getDecoder().decode(s.trim());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}

package dev.autoupload.engine.library;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * {@link Instant#toString()}'s text, made without {@code DateTimeFormatter} for the years 1970 to
 * 9999: an asset's version fingerprints its modification time as that text, and a scan of a large
 * library takes it for every file (the formatter was most of a version's cost, and slower still
 * before the JIT compiled it). Other instants go to {@code toString()} itself. Versions are stored,
 * so the text must be exactly the same: {@code InstantTextTest} compares the two.
 */
final class InstantText {

  private static final long SECONDS_PER_DAY = 86_400;
  /** 10000-01-01T00:00:00Z: from there on the year takes five digits and a sign. */
  private static final long YEAR_10000 = 253_402_300_800L;

  private InstantText() {}

  /** The most bytes {@link #write} writes: {@code Instant.MAX}'s 38 characters. */
  static final int LONGEST = 38;

  /**
   * Writes the text's ASCII bytes into {@code text} from {@code at}, which leaves room for {@link
   * #LONGEST}; returns where they end.
   */
  static int write(Instant instant, byte[] text, int at) {
    long seconds = instant.getEpochSecond();
    if (seconds < 0 || seconds >= YEAR_10000) {
      byte[] other = instant.toString().getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(other, 0, text, at, other.length);
      return at + other.length;
    }
    long days = seconds / SECONDS_PER_DAY;
    int secondOfDay = (int) (seconds % SECONDS_PER_DAY);
    // Days since 1970-01-01 to a proleptic Gregorian date, by eras of 400 years from 0000-03-01,
    // so that the leap day ends a year.
    long shifted = days + 719_468;
    long era = shifted / 146_097;
    long dayOfEra = shifted - era * 146_097;
    long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
    long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    long monthFromMarch = (5 * dayOfYear + 2) / 153;
    int day = (int) (dayOfYear - (153 * monthFromMarch + 2) / 5 + 1);
    int month = (int) (monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9);
    long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);

    at = digits(text, at, year, 4);
    text[at++] = '-';
    at = digits(text, at, month, 2);
    text[at++] = '-';
    at = digits(text, at, day, 2);
    text[at++] = 'T';
    at = digits(text, at, secondOfDay / 3600, 2);
    text[at++] = ':';
    at = digits(text, at, secondOfDay / 60 % 60, 2);
    text[at++] = ':';
    at = digits(text, at, secondOfDay % 60, 2);
    int nanos = instant.getNano();
    // As many digits of the fraction as it needs, in groups of three.
    if (nanos > 0) {
      text[at++] = '.';
      if (nanos % 1_000_000 == 0) {
        at = digits(text, at, nanos / 1_000_000, 3);
      } else if (nanos % 1000 == 0) {
        at = digits(text, at, nanos / 1000, 6);
      } else {
        at = digits(text, at, nanos, 9);
      }
    }
    text[at++] = 'Z';
    return at;
  }

  /**
   * Writes {@code value}, from 0 to one less than 10 to the {@code width}, in {@code width} digits
   * with leading zeros; filled in from the right by tens (a constant divisor, which the JIT turns
   * into a multiplication), as a string for each of a time's six or seven numbers was most of a
   * version's cost in a scan of a million assets. Returns where the digits end.
   */
  private static int digits(byte[] text, int at, long value, int width) {
    int rest = (int) value;
    for (int i = at + width - 1; i >= at; i--) {
      text[i] = (byte) ('0' + rest % 10);
      rest /= 10;
    }
    return at + width;
  }
}

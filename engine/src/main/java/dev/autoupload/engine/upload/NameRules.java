package dev.autoupload.engine.upload;

import java.text.Normalizer;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a target cannot store in one name (one segment of a remote path), and how such a name is
 * made storable. A refused character becomes its Unicode lookalike, as rclone's "encoding" does
 * (https://rclone.org/overview/#encoding): {@code a:b?.jpg} is stored as {@code a：b？.jpg}, readable,
 * and the same on every run and device.
 *
 * <p>Every rule set replaces control characters with '_', and a backslash with '_' too unless a
 * restriction gives it a lookalike. Unlike rclone, Autoupload never reads names back, so it does not
 * quote lookalikes already in a name: escaping is idempotent ({@code escape(escape(n)) ==
 * escape(n)}), and {@code a:b} and {@code a：b} land on one name, where the second of two different
 * files is kept beside the first like any other name clash.
 *
 * @param restrictions what the target refuses beyond control characters and backslashes
 * @param maxNameBytes the longest name, in bytes of UTF-8, the layout may give the target; at least
 *     {@value #MIN_NAME_BYTES}
 */
public record NameRules(Set<Restriction> restrictions, int maxNameBytes) {

  /** Every rule set stores names of this many bytes of UTF-8; longer ones only up to its limit. */
  public static final int MIN_NAME_BYTES = 224;

  /**
   * Linux and macOS file systems, S3, most servers: names of 255 bytes, and only what every rule set
   * replaces.
   */
  public static final NameRules POSIX = new NameRules(Set.of(), 255);

  /** What FAT, exFAT, NTFS and SMB shares refuse when written through Windows. */
  public static final NameRules WINDOWS = new NameRules(Set.of(Restriction.WINDOWS), 255);

  /**
   * What Nextcloud refuses by default; its {@code FilenameValidator} also refuses names longer than
   * 250 bytes ({@code oc_filecache} keeps no more).
   */
  public static final NameRules NEXTCLOUD = new NameRules(Set.of(Restriction.NEXTCLOUD), 250);

  private static final char SYMBOL_FOR_SPACE = '\u2420';

  /** Windows' device names; case-insensitive for ASCII only, so the first letter is ASCII. */
  private static final Pattern DEVICE =
      Pattern.compile("(CON|PRN|AUX|NUL|(COM|LPT)[0-9\u00b9\u00b2\u00b3]) *", Pattern.CASE_INSENSITIVE);

  /** A group of names a kind of storage refuses, each with how such a name is escaped. */
  public enum Restriction {
    /**
     * Windows' rules (Microsoft, "Naming Files, Paths, and Namespaces"): {@code < > : " | ? * \}
     * become their fullwidth forms U+FF1C U+FF1E U+FF1A U+FF02 U+FF5C U+FF1F U+FF0A U+FF3C; a last
     * '.' becomes U+FF0E and a last space U+2420 (rclone's RightPeriod and RightSpace); a device
     * name (CON, PRN, AUX, NUL, COM0-9, COM¹²³, LPT0-9, LPT¹²³; in any case, alone or before an
     * extension: {@code nul.tar.gz}) gets its first letter in fullwidth, {@code ＣON.jpg}. COM0 and
     * LPT0 are in Nextcloud's Windows-compatible list though not in Microsoft's.
     */
    WINDOWS,
    /**
     * Nextcloud's defaults (lib/private/Files/FilenameValidator.php): a backslash becomes U+FF3C;
     * {@code .htaccess} gets its dot as U+FF0E, and so does the last dot of a name ending in {@code
     * .part} or {@code .filepart} (any case); a name that is empty, '.' or '..' once spaces are
     * trimmed gets its last character as a lookalike. An administrator may refuse more ({@code
     * forbidden_filename_*} in config.php); with the Windows-compatible names switched on, add
     * {@link #WINDOWS}.
     */
    NEXTCLOUD
  }

  /**
   * Copies {@code restrictions}.
   *
   * @param restrictions what the target refuses beyond control characters and backslashes
   * @param maxNameBytes the longest name, in bytes of UTF-8, the layout may give the target; at least
   *     {@value #MIN_NAME_BYTES}
   * @throws IllegalArgumentException when {@code maxNameBytes} is below {@link #MIN_NAME_BYTES}
   */
  public NameRules {
    restrictions = Set.copyOf(restrictions);
    if (maxNameBytes < MIN_NAME_BYTES) {
      throw new IllegalArgumentException(
          "names must be allowed " + MIN_NAME_BYTES + " bytes at least, not " + maxNameBytes);
    }
  }

  /**
   * What both this and {@code other} refuse, with the shorter limit.
   *
   * @param other the rules of another target
   * @return rules that satisfy both
   */
  public NameRules and(NameRules other) {
    Set<Restriction> both = EnumSet.noneOf(Restriction.class);
    both.addAll(restrictions);
    both.addAll(other.restrictions);
    return new NameRules(both, Math.min(maxNameBytes, other.maxNameBytes));
  }

  /**
   * These rules for a target that needs {@code bytes} more of a name for itself: one writing an
   * upload to {@code .<name>.autoupload-part} first reserves 17.
   *
   * @param bytes how many bytes of a name the target keeps for itself
   * @return rules with that much shorter a limit
   * @throws IllegalArgumentException when the limit falls below {@link #MIN_NAME_BYTES}
   */
  public NameRules reserving(int bytes) {
    return new NameRules(restrictions, maxNameBytes - bytes);
  }

  /**
   * {@code name} as the target can store it: in Unicode NFC, every refused character and pattern
   * escaped. Not shortened: {@link #maxNameBytes()} is the caller's to apply, which keeps the name
   * storable as long as it cuts before the extension and appends no '.', space or device name.
   *
   * @param name one segment of a remote path
   * @return the name to store; the same on every run, and unchanged when it was already storable
   */
  public String escape(String name) {
    Objects.requireNonNull(name, "name");
    String nfc = Normalizer.normalize(name, Normalizer.Form.NFC);
    boolean windows = restrictions.contains(Restriction.WINDOWS);
    boolean nextcloud = restrictions.contains(Restriction.NEXTCLOUD);
    StringBuilder out = new StringBuilder(nfc.length());
    nfc.codePoints().forEach(c -> out.appendCodePoint(character(c, windows, nextcloud)));
    if (windows) {
      escapeDeviceName(out);
      escapeLastDotOrSpace(out);
    }
    if (nextcloud) {
      escapeNextcloudName(out);
    }
    return out.toString();
  }

  private static int character(int c, boolean windows, boolean nextcloud) {
    if (Character.isISOControl(c)) {
      return '_';
    }
    if (c == '\\') {
      return windows || nextcloud ? fullwidth(c) : '_';
    }
    if (windows && "<>:\"|?*".indexOf(c) >= 0) {
      return fullwidth(c);
    }
    return c;
  }

  /** Windows reads the device from the name up to its first dot, trailing spaces dropped. */
  private static void escapeDeviceName(StringBuilder name) {
    int dot = name.indexOf(".");
    String base = dot < 0 ? name.toString() : name.substring(0, dot);
    if (DEVICE.matcher(base).matches()) {
      name.setCharAt(0, (char) fullwidth(name.charAt(0)));
    }
  }

  private static void escapeNextcloudName(StringBuilder name) {
    if (name.toString().equalsIgnoreCase(".htaccess")) {
      name.setCharAt(0, (char) fullwidth('.'));
    } else if (endsWithIgnoringCase(name, ".part") || endsWithIgnoringCase(name, ".filepart")) {
      name.setCharAt(name.lastIndexOf("."), (char) fullwidth('.'));
    }
    // PHP's trim() also drops control characters, which are gone already.
    String trimmed = name.toString().replaceAll("^ +| +$", "");
    if (trimmed.isEmpty() || trimmed.equals(".") || trimmed.equals("..")) {
      escapeLastDotOrSpace(name);
    }
  }

  private static boolean endsWithIgnoringCase(StringBuilder name, String suffix) {
    return name.length() >= suffix.length()
        && name.substring(name.length() - suffix.length()).equalsIgnoreCase(suffix);
  }

  private static void escapeLastDotOrSpace(StringBuilder name) {
    int last = name.length() - 1;
    if (last >= 0 && name.charAt(last) == '.') {
      name.setCharAt(last, (char) fullwidth('.'));
    } else if (last >= 0 && name.charAt(last) == ' ') {
      name.setCharAt(last, SYMBOL_FOR_SPACE);
    }
  }

  /** The fullwidth form of a printable ASCII character, U+FF01 to U+FF5E. */
  private static int fullwidth(int c) {
    return c + 0xFEE0;
  }
}

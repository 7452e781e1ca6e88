package dev.autoupload.engine.library;

import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.engine.upload.Sha256;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where an asset goes on the target: a pattern of folders and a name, filled from the asset's
 * creation date and name. The default {@code {yyyy}/{MM}/{filename}} files a photo taken in May
 * 2023 under {@code 2023/05/}, whenever it is uploaded; {@code {path}} mirrors the source's folders.
 *
 * <p>Tokens: {@code {yyyy}} {@code {MM}} {@code {dd}} (the creation date in {@code zone}), {@code
 * {filename}} (the name with its extension), {@code {name}} and {@code {ext}} (without and of the
 * extension), {@code {folder}} (the source folder, '/'-separated, empty at the top) and {@code
 * {path}} (the whole relative path). Every remote path is NFC; control characters and backslashes
 * become '_'; a segment longer than the target allows ({@link
 * dev.autoupload.engine.upload.NameRules#maxNameBytes()}, bytes of UTF-8) is shortened
 * deterministically, keeping its extension.
 */
public final class RemoteLayout {

  /** The pattern used when {@code autoupload.layout.pattern} is not set: year and month folders. */
  public static final String DEFAULT_PATTERN = "{yyyy}/{MM}/{filename}";

  /** The source's own folders and names. */
  public static final RemoteLayout MIRROR = new RemoteLayout("{path}", ZoneId.of("UTC"));

  private static final Pattern TOKEN = Pattern.compile("\\{([A-Za-z]+)}");
  private static final List<String> TOKENS =
      List.of("yyyy", "MM", "dd", "filename", "name", "ext", "folder", "path");

  private final String pattern;
  private final ZoneId zone;

  private RemoteLayout(String pattern, ZoneId zone) {
    this.pattern = pattern;
    this.zone = zone;
  }

  /**
   * A layout from {@code pattern}, dates read in {@code zone}.
   *
   * @param pattern the pattern, with the tokens above
   * @param zone the time zone for {@code {yyyy}}, {@code {MM}} and {@code {dd}}
   * @return the layout
   * @throws IllegalArgumentException naming the problem when the pattern has an unknown token, no
   *     name token, an absolute or {@code ..} part, or is empty
   * @throws NullPointerException when {@code zone} is null
   */
  public static RemoteLayout of(String pattern, ZoneId zone) {
    Objects.requireNonNull(zone, "zone");
    if (pattern == null || pattern.isBlank()) {
      throw new IllegalArgumentException("autoupload.layout.pattern is empty");
    }
    Matcher tokens = TOKEN.matcher(pattern);
    while (tokens.find()) {
      if (!TOKENS.contains(tokens.group(1))) {
        throw new IllegalArgumentException(
            "autoupload.layout.pattern: unknown token {" + tokens.group(1) + "}; use " + String.join(", ", TOKENS.stream().map(t -> "{" + t + "}").toList()));
      }
    }
    if (!pattern.contains("{filename}") && !pattern.contains("{name}") && !pattern.contains("{path}")) {
      throw new IllegalArgumentException(
          "autoupload.layout.pattern must contain {filename}, {name} or {path}: every file needs its own name");
    }
    if (pattern.startsWith("/") || List.of(pattern.split("/", -1)).contains("..")) {
      throw new IllegalArgumentException("autoupload.layout.pattern must be a relative path without '..'");
    }
    return new RemoteLayout(pattern, zone);
  }

  /** {@return the pattern this layout fills} */
  public String pattern() {
    return pattern;
  }

  /**
   * The remote path of {@code asset} on a target with {@link NameRules#POSIX} rules.
   *
   * @param asset the asset
   * @return its path on the target, '/'-separated, relative, never empty
   */
  public String remotePath(Asset asset) {
    return remotePath(asset, NameRules.POSIX);
  }

  /**
   * The remote path of {@code asset} on a target with {@code rules}.
   *
   * @param asset the asset
   * @param rules the target's naming rules, which escape and shorten each segment
   * @return its path on the target, '/'-separated, relative, never empty
   */
  public String remotePath(Asset asset, NameRules rules) {
    String relative = Normalizer.normalize(asset.relativePath(), Normalizer.Form.NFC);
    int slash = relative.lastIndexOf('/');
    String folder = slash < 0 ? "" : relative.substring(0, slash);
    String filename = relative.substring(slash + 1);
    int dot = filename.lastIndexOf('.');
    String name = dot > 0 ? filename.substring(0, dot) : filename;
    String ext = dot > 0 ? filename.substring(dot + 1) : "";
    ZonedDateTime created = asset.createdAt().atZone(zone);
    Matcher tokens = TOKEN.matcher(pattern);
    StringBuilder filled = new StringBuilder();
    while (tokens.find()) {
      String value =
          switch (tokens.group(1)) {
            case "yyyy" -> zeroPadded(created.getYear(), 4);
            case "MM" -> zeroPadded(created.getMonthValue(), 2);
            case "dd" -> zeroPadded(created.getDayOfMonth(), 2);
            case "filename" -> filename;
            case "name" -> name;
            case "ext" -> ext;
            case "folder" -> folder;
            case "path" -> relative;
            default -> throw new IllegalStateException("checked in of(): " + tokens.group(1));
          };
      tokens.appendReplacement(filled, Matcher.quoteReplacement(value));
    }
    tokens.appendTail(filled);
    List<String> segments = new ArrayList<>();
    for (String segment : filled.toString().split("/")) {
      // An empty {folder} at the top of the source leaves an empty segment: it is dropped.
      if (!segment.isEmpty() && !segment.equals(".") && !segment.equals("..")) {
        segments.add(shortened(rules.escape(segment), rules.maxNameBytes()));
      }
    }
    return String.join("/", segments);
  }

  /**
   * {@code value} as {@code String.format(Locale.ROOT, "%0<width>d", value)} writes it, without
   * parsing a format for every file it places (a tenth of the actors' CPU in a run of small files,
   * by JFR).
   */
  static String zeroPadded(int value, int width) {
    if (value < 0) {
      return String.format(Locale.ROOT, "%0" + width + "d", value);
    }
    String digits = Integer.toString(value);
    return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
  }

  /**
   * The name a different file of the same remote path gets when both are kept: a suffix from its
   * content hash before the extension, {@code IMG_0001~3f2a9c1b.jpg}, the same on every run and
   * device, never a counter like "(2)".
   *
   * <p>A name the target's rules made storable stays storable: the suffix holds no character any
   * rule set refuses, keeps the name's end (no '.', space, {@code .part} appears there) and makes
   * it no device name or {@code .htaccess}; and the result is no longer than {@link
   * NameRules#MIN_NAME_BYTES} or the name itself, whichever is more.
   *
   * @param remotePath the taken remote path, '/'-separated
   * @param sha256 lowercase hex sha256 of the other file's content; at least 8 digits
   * @return the path to keep it at instead, in the same folder
   */
  public static String keepBothPath(String remotePath, String sha256) {
    return keepBothPath(remotePath, sha256, 8);
  }

  /**
   * Where a different file goes when its {@link #keepBothPath} holds yet another file (a client
   * that edited a kept copy, a second clash of the eight digits): the suffix with sixteen digits of
   * its hash, {@code IMG_0001~3f2a9c1b5e7d0a42.jpg}, as stable and as storable.
   *
   * @param remotePath the taken remote path, '/'-separated
   * @param sha256 lowercase hex sha256 of the other file's content; at least 16 digits
   * @return the path to keep it at instead, in the same folder
   */
  public static String keepBothPathAgain(String remotePath, String sha256) {
    return keepBothPath(remotePath, sha256, 16);
  }

  private static String keepBothPath(String remotePath, String sha256, int digits) {
    int slash = remotePath.lastIndexOf('/');
    String folder = slash < 0 ? "" : remotePath.substring(0, slash + 1);
    String filename = remotePath.substring(slash + 1);
    int dot = filename.lastIndexOf('.');
    String suffix = "~" + sha256.substring(0, digits).toLowerCase(Locale.ROOT);
    String renamed =
        dot > 0 ? filename.substring(0, dot) + suffix + filename.substring(dot) : filename + suffix;
    int limit = Math.max(utf8Length(filename), NameRules.MIN_NAME_BYTES);
    return folder + shortened(renamed, limit);
  }

  /**
   * Cuts the name before the extension and marks the cut with a hash of the whole name. What was
   * escaped stays so: the name keeps its end, and the '~' makes the rest no reserved name.
   */
  static String shortened(String segment, int maxBytes) {
    if (utf8Length(segment) <= maxBytes) {
      return segment;
    }
    String hash =
        "~" + HexFormat.of().formatHex(Sha256.newDigest().digest(segment.getBytes(StandardCharsets.UTF_8)), 0, 4);
    int dot = segment.lastIndexOf('.');
    String ext = dot > 0 && segment.length() - dot <= 16 ? segment.substring(dot) : "";
    String base = dot > 0 && !ext.isEmpty() ? segment.substring(0, dot) : segment;
    int budget = maxBytes - utf8Length(hash + ext);
    StringBuilder kept = new StringBuilder();
    int used = 0;
    for (int i = 0; i < base.length(); ) {
      int codePoint = base.codePointAt(i);
      int bytes = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
      if (used + bytes > budget) {
        break;
      }
      kept.appendCodePoint(codePoint);
      used += bytes;
      i += Character.charCount(codePoint);
    }
    return kept + hash + ext;
  }

  private static int utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  @Override
  public String toString() {
    return pattern + " (" + zone + ")";
  }
}

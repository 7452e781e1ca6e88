package dev.autoupload.engine.library;

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
 * become '_'; a segment longer than {@value #MAX_SEGMENT_BYTES} bytes of UTF-8 is shortened
 * deterministically, keeping its extension.
 */
public final class RemoteLayout {

  /** The longest file name most filesystems and servers store: 255 bytes. */
  static final int MAX_SEGMENT_BYTES = 255;

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
   * @throws IllegalArgumentException naming the problem when the pattern has an unknown token, no
   *     name token, an absolute or {@code ..} part, or is empty
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

  public String pattern() {
    return pattern;
  }

  /** The remote path of {@code asset}. */
  public String remotePath(Asset asset) {
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
            case "yyyy" -> String.format(Locale.ROOT, "%04d", created.getYear());
            case "MM" -> String.format(Locale.ROOT, "%02d", created.getMonthValue());
            case "dd" -> String.format(Locale.ROOT, "%02d", created.getDayOfMonth());
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
        segments.add(shortened(storable(segment)));
      }
    }
    return String.join("/", segments);
  }

  /**
   * The name a different file of the same remote path gets when both are kept: a suffix from its
   * content hash before the extension, {@code IMG_0001~3f2a9c1b.jpg}, the same on every run and
   * device, never a counter like "(2)".
   */
  public static String keepBothPath(String remotePath, String sha256) {
    int slash = remotePath.lastIndexOf('/');
    String folder = slash < 0 ? "" : remotePath.substring(0, slash + 1);
    String filename = remotePath.substring(slash + 1);
    int dot = filename.lastIndexOf('.');
    String suffix = "~" + sha256.substring(0, 8).toLowerCase(Locale.ROOT);
    String renamed =
        dot > 0 ? filename.substring(0, dot) + suffix + filename.substring(dot) : filename + suffix;
    return folder + shortened(renamed);
  }

  private static String storable(String segment) {
    StringBuilder out = new StringBuilder(segment.length());
    segment
        .codePoints()
        .forEach(c -> out.appendCodePoint(Character.isISOControl(c) || c == '\\' ? '_' : c));
    return out.toString();
  }

  /** Cuts the name before the extension and marks the cut with a hash of the whole name. */
  static String shortened(String segment) {
    if (segment.getBytes(StandardCharsets.UTF_8).length <= MAX_SEGMENT_BYTES) {
      return segment;
    }
    String hash =
        "~" + HexFormat.of().formatHex(Sha256.newDigest().digest(segment.getBytes(StandardCharsets.UTF_8)), 0, 4);
    int dot = segment.lastIndexOf('.');
    String ext = dot > 0 && segment.length() - dot <= 16 ? segment.substring(dot) : "";
    String base = dot > 0 && !ext.isEmpty() ? segment.substring(0, dot) : segment;
    int budget = MAX_SEGMENT_BYTES - (hash + ext).getBytes(StandardCharsets.UTF_8).length;
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

  @Override
  public String toString() {
    return pattern + " (" + zone + ")";
  }
}

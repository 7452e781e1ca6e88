package dev.autoupload.targets.webdav;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code .autoupload-sha256} in a folder says about the files beside it: for each name, the
 * sha256 verified when Autoupload published it, with the size and {@code getlastmodified} the
 * server reported for it then. As with a {@link HashSidecar}, an entry is believed only while size
 * and modification time still match, so a file replaced behind Autoupload's back does not inherit
 * the hash of the one it replaced.
 *
 * <p>One file a folder rather than a sidecar a file, so that publishing costs no request of its
 * own: a folder's new entries are written together (see {@link WebDavTarget}). The text is UTF-8:
 * a first line {@value #HEADER}, then a line per file of {@code sha256 size name modified}, the
 * name percent-encoded as in a URL path (so it holds no space) and the modification time as the
 * server gave it, to the end of the line. Lines that are not entries are ignored.
 */
record FolderManifest(Map<String, Entry> entries) {

  /** The manifest's name in each folder: a name the target refuses for files (see {@link WebDavTarget#SIDECAR_SUFFIX}). */
  static final String NAME = WebDavTarget.SIDECAR_SUFFIX;

  /** The first line, which names the format. */
  static final String HEADER = "autoupload-sha256 1";

  /** More than a folder of 100,000 photos takes (about 140 bytes each); anything longer is not one. */
  static final int MAX_BYTES = 16 * 1024 * 1024;

  /** Whether {@code text} is 64 lowercase hex digits; a loop, as a manifest holds a folder's worth. */
  static boolean isSha256Hex(String text) {
    if (text.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = text.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /**
   * What the manifest says about one file.
   *
   * @param sha256 the content's sha256, lowercase hex
   * @param size its size in bytes
   * @param modified the server's {@code getlastmodified} for it when it was recorded
   */
  record Entry(String sha256, long size, String modified) {
    Entry {
      sha256 = sha256.toLowerCase(Locale.ROOT);
      if (!isSha256Hex(sha256) || size < 0 || modified.isBlank() || modified.contains("\n")) {
        throw new IllegalArgumentException("not a manifest entry: " + sha256 + " " + size + " " + modified);
      }
    }

    /** Whether this entry was written for the file the server now describes as {@code file}. */
    boolean describes(Multistatus file) {
      return !file.collection()
          && file.contentLength().isPresent()
          && file.contentLength().getAsLong() == size
          && file.lastModified().equals(Optional.of(modified));
    }
  }

  FolderManifest {
    entries = Map.copyOf(entries);
  }

  /** The manifest's text. */
  String format() {
    StringBuilder out = new StringBuilder(HEADER).append('\n');
    entries.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                out.append(e.getValue().sha256())
                    .append(' ')
                    .append(e.getValue().size())
                    .append(' ')
                    .append(DavPath.encode(e.getKey()))
                    .append(' ')
                    .append(e.getValue().modified())
                    .append('\n'));
    return out.toString();
  }

  /** The manifest {@code text} holds, or empty when it is not one. */
  static Optional<FolderManifest> parse(String text) {
    String[] lines = text.split("\n");
    if (lines.length == 0 || !lines[0].strip().equals(HEADER)) {
      return Optional.empty();
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      String[] fields = lines[i].strip().split(" ", 4);
      if (fields.length < 4) {
        continue;
      }
      try {
        entries.putIfAbsent(
            Multistatus.percentDecoded(fields[2]),
            new Entry(fields[0], Long.parseLong(fields[1]), fields[3].strip()));
      } catch (IllegalArgumentException e) {
        // Not an entry: the file it would describe just has no known hash.
      }
    }
    return Optional.of(new FolderManifest(entries));
  }
}

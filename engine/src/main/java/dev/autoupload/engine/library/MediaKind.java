package dev.autoupload.engine.library;

import java.util.Locale;
import java.util.Set;

/** Whether an asset is a photo or a video, told by its name's extension. */
public enum MediaKind {
  /** A still image; anything without a known video extension. */
  PHOTO,
  /** A video, by its extension ({@code mov}, {@code mp4}, ...). */
  VIDEO;

  private static final Set<String> VIDEOS =
      Set.of(
          "mov", "mp4", "m4v", "3gp", "3g2", "avi", "mkv", "mts", "m2ts", "mpg", "mpeg", "webm", "wmv", "insv",
          "lrv");

  /**
   * The kind of the file at {@code path}: a video by a video extension, else a photo.
   *
   * @param path a file name or path; only the extension counts, in any case
   * @return the kind
   */
  public static MediaKind of(String path) {
    int dot = path.lastIndexOf('.');
    boolean video = dot >= 0 && VIDEOS.contains(path.substring(dot + 1).toLowerCase(Locale.ROOT));
    return video ? VIDEO : PHOTO;
  }

  /**
   * The kind of the asset, by its relative path.
   *
   * @param asset the asset
   * @return the kind
   */
  public static MediaKind of(Asset asset) {
    return of(asset.relativePath());
  }
}

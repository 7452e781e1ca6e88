package dev.autoupload.engine.activity;

import dev.autoupload.engine.upload.Sha256;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which assets may be halves of a live photo: a still (HEIC, HEIF, JPG) and a video (MOV, MP4)
 * with the same name in the same folder, as iPhones export them ({@code IMG_0001.HEIC} and {@code
 * IMG_0001.MOV}). Both halves get the same pair key; the Activity view shows a pair whose two
 * halves are both there as one item.
 */
public final class LivePhotos {

  private static final Set<String> STILLS = Set.of("heic", "heif", "jpg", "jpeg");
  private static final Set<String> VIDEOS = Set.of("mov", "mp4");

  /**
   * The role an asset could play in a pair, and the key both halves share.
   *
   * @param pairKey hex key from the path without its extension, ignoring case; equal for both halves
   * @param role {@link #PHOTO} or {@link #VIDEO}
   */
  public record Half(String pairKey, String role) {
    /** {@link #role()} of the still. */
    public static final String PHOTO = "photo";
    /** {@link #role()} of the video. */
    public static final String VIDEO = "video";
  }

  private LivePhotos() {}

  /**
   * Whether an asset could be half of a live photo, from its path alone.
   *
   * @param relativePath the asset's path inside its library, with {@code /} between folders
   * @return its half (pair key and role), or empty when the extension is neither a still nor a video
   */
  public static Optional<Half> halfOf(String relativePath) {
    String path = Normalizer.normalize(relativePath, Normalizer.Form.NFC);
    int slash = path.lastIndexOf('/');
    int dot = path.lastIndexOf('.');
    if (dot <= slash + 1) {
      return Optional.empty();
    }
    String extension = path.substring(dot + 1).toLowerCase(Locale.ROOT);
    String role = STILLS.contains(extension) ? Half.PHOTO : VIDEOS.contains(extension) ? Half.VIDEO : null;
    if (role == null) {
      return Optional.empty();
    }
    // Case-insensitive, as cameras and exports mix IMG_0001.HEIC with IMG_0001.mov.
    String stem = path.substring(0, dot).toLowerCase(Locale.ROOT);
    String key = HexFormat.of().formatHex(Sha256.newDigest().digest(stem.getBytes(StandardCharsets.UTF_8)), 0, 16);
    return Optional.of(new Half(key, role));
  }
}

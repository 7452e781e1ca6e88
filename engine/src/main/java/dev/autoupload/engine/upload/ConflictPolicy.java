package dev.autoupload.engine.upload;

import java.util.Locale;

/**
 * What happens when the remote path already holds a different file (a camera that restarted its
 * counter, another device). Nothing is ever overwritten silently.
 */
public enum ConflictPolicy {
  /** Upload this one too, under the name with a suffix from its content hash. */
  KEEP_BOTH,
  /** Leave this asset out, with the reason. */
  SKIP,
  /**
   * Replace the file on the target with this one, recording what was replaced. Never a file that
   * is the backup of another asset of the library: that one is kept and this asset kept beside it,
   * as with {@link #KEEP_BOTH}.
   */
  OVERWRITE;

  /**
   * From the setting's spelling: {@code keep-both}, {@code skip} or {@code overwrite}.
   *
   * @param value the setting's value, in any case
   * @return the policy
   * @throws IllegalArgumentException naming the setting, for any other value
   */
  public static ConflictPolicy parse(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "keep-both" -> KEEP_BOTH;
      case "skip" -> SKIP;
      case "overwrite" -> OVERWRITE;
      default ->
          throw new IllegalArgumentException(
              "autoupload.upload.on-conflict must be keep-both, skip or overwrite, not \"" + value + "\"");
    };
  }
}

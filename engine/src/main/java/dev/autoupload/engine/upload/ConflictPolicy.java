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
  SKIP;

  /** From the setting's spelling: {@code keep-both} or {@code skip}. */
  public static ConflictPolicy parse(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "keep-both" -> KEEP_BOTH;
      case "skip" -> SKIP;
      default ->
          throw new IllegalArgumentException(
              "autoupload.upload.on-conflict must be keep-both or skip, not \"" + value + "\"");
    };
  }
}

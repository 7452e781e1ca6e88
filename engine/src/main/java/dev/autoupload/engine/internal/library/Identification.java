package dev.autoupload.engine.internal.library;

import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.engine.library.ContentHashCache;
import dev.autoupload.engine.upload.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Learns what an asset a scan found holds: its content's sha256 from the source, the cache, or by
 * reading it once. A file that changed while it was read has no one content for the version found;
 * the planner then waits for the next scan instead of uploading it blind. Blocking I/O: called
 * from the blocking-I/O dispatcher.
 */
final class Identification {

  private Identification() {}

  static LibraryPlan.Identity of(AssetSource source, ContentHashCache hashes, Asset asset) {
    Optional<String> known = asset.contentHash().or(() -> hashes.lookup(asset));
    if (known.isPresent()) {
      return LibraryPlan.Identity.of(known.get());
    }
    try {
      return read(source, hashes, asset);
    } catch (IOException | RuntimeException first) {
      return switch (lookAgain(source, asset)) {
        // Renamed away and back while it was read, it would go up unread, and could be a copy of a
        // backup under another name: one more read tells its content.
        case AS_FOUND -> readOnceMore(source, hashes, asset);
        // Another version now, which the next scan finds: uploaded unread, it could be a copy.
        case CHANGED -> LibraryPlan.Identity.changed();
        // Its upload says why (gone, permission denied), and is recorded as such.
        case GONE_OR_UNKNOWN -> LibraryPlan.Identity.unreadable();
      };
    }
  }

  private static LibraryPlan.Identity readOnceMore(AssetSource source, ContentHashCache hashes, Asset asset) {
    try {
      return read(source, hashes, asset);
    } catch (IOException | RuntimeException again) {
      return LibraryPlan.Identity.unreadable();
    }
  }

  private static LibraryPlan.Identity read(AssetSource source, ContentHashCache hashes, Asset asset) throws IOException {
    try (InputStream in = source.open(asset)) {
      String sha256 = Sha256.of(in);
      if (!isAsFound(source, asset)) {
        return LibraryPlan.Identity.changed();
      }
      hashes.remember(asset, sha256);
      return LibraryPlan.Identity.of(sha256);
    }
  }

  private enum Found {
    AS_FOUND,
    CHANGED,
    GONE_OR_UNKNOWN
  }

  /** How the asset is now, after a read that failed; gone or unknown when the source cannot tell. */
  private static Found lookAgain(AssetSource source, Asset asset) {
    try {
      return found(source, asset);
    } catch (IOException | RuntimeException e) {
      return Found.GONE_OR_UNKNOWN;
    }
  }

  private static boolean isAsFound(AssetSource source, Asset asset) throws IOException {
    return found(source, asset) == Found.AS_FOUND;
  }

  private static Found found(AssetSource source, Asset asset) throws IOException {
    return source
        .refresh(asset)
        .map(now -> now.version().equals(asset.version()) ? Found.AS_FOUND : Found.CHANGED)
        .orElse(Found.GONE_OR_UNKNOWN);
  }
}

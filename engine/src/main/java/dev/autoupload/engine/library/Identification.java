package dev.autoupload.engine.library;

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
    try (InputStream in = source.open(asset)) {
      String sha256 = Sha256.of(in);
      boolean asFound = source.refresh(asset).map(now -> now.version().equals(asset.version())).orElse(false);
      if (!asFound) {
        return LibraryPlan.Identity.changed();
      }
      hashes.remember(asset, sha256);
      return LibraryPlan.Identity.of(sha256);
    } catch (IOException | RuntimeException e) {
      return LibraryPlan.Identity.unreadable();
    }
  }
}

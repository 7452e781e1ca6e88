package dev.autoupload.engine.library;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sha256 of assets already read, keyed by asset, size and modification time, so a restart or a
 * rescan does not read a whole library again to know what it holds. Called from blocking-I/O
 * threads.
 */
public interface ContentHashCache {

  /** The cached hash of the asset when its size and modification time are still those cached. */
  Optional<String> lookup(Asset asset);

  void remember(Asset asset, String sha256);

  /** A cache that lives as long as the process, for tests and embedders without a store. */
  static ContentHashCache inMemory() {
    record Key(String libraryId, String assetId, long size, Instant modifiedAt) {}
    Map<Key, String> hashes = new ConcurrentHashMap<>();
    return new ContentHashCache() {
      @Override
      public Optional<String> lookup(Asset asset) {
        return Optional.ofNullable(hashes.get(new Key(asset.libraryId(), asset.id(), asset.size(), asset.modifiedAt())));
      }

      @Override
      public void remember(Asset asset, String sha256) {
        hashes.put(new Key(asset.libraryId(), asset.id(), asset.size(), asset.modifiedAt()), sha256);
      }
    };
  }
}

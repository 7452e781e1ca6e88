package dev.autoupload.engine.library;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sha256 of assets already read, keyed by asset and {@link Asset#version()}, so a restart or a
 * rescan does not read a whole library again to know what it holds. Called from blocking-I/O
 * threads.
 */
public interface ContentHashCache {

  /**
   * The cached hash of the asset when it is still the version cached.
   *
   * @param asset the asset as scanned now
   * @return its sha256 in lowercase hex; empty when not cached or cached for another version
   */
  Optional<String> lookup(Asset asset);

  /**
   * Caches the sha256 of the asset's current {@link Asset#version()}; may hold it back until {@link #flush}.
   *
   * @param asset the asset whose content was read
   * @param sha256 lowercase hex sha256 of that content
   */
  void remember(Asset asset, String sha256);

  /** Stores what {@link #remember} may still hold back; called before the store closes. */
  default void flush() {}

  /**
   * A cache that lives as long as the process, for tests and embedders without a store.
   *
   * @return a new, empty cache
   */
  static ContentHashCache inMemory() {
    record Key(String libraryId, String assetId, String version) {}
    Map<Key, String> hashes = new ConcurrentHashMap<>();
    return new ContentHashCache() {
      @Override
      public Optional<String> lookup(Asset asset) {
        return Optional.ofNullable(hashes.get(new Key(asset.libraryId(), asset.id(), asset.version())));
      }

      @Override
      public void remember(Asset asset, String sha256) {
        hashes.put(new Key(asset.libraryId(), asset.id(), asset.version()), sha256);
      }
    };
  }
}

package dev.autoupload.engine.internal.library;

import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A library's source as the engine reads it: every asset it hands over, by a scan or a refresh,
 * carries the library's id. Journals key uploads by the asset's library id and events by the
 * library's, so an asset built without one ({@link Asset#of}) gets its library's, and a scan that
 * hands over an asset naming another library fails naming both ids: a host's mix-up would split
 * one file's history in two.
 */
public final class OwnAssets implements AssetSource {

  private final String libraryId;
  private final AssetSource source;

  private OwnAssets(String libraryId, AssetSource source) {
    this.libraryId = libraryId;
    this.source = source;
  }

  /**
   * @param libraryId the library's id
   * @param source its source, as the host gave it
   * @return the source whose assets carry {@code libraryId}
   */
  public static AssetSource of(String libraryId, AssetSource source) {
    return source instanceof OwnAssets own && own.libraryId.equals(libraryId) ? own : new OwnAssets(libraryId, source);
  }

  /**
   * {@code asset} with the library's id.
   *
   * @throws IllegalArgumentException when it names another library
   */
  private Asset own(Asset asset) {
    if (asset.libraryId().isEmpty()) {
      return inLibrary(asset);
    }
    if (!asset.libraryId().equals(libraryId)) {
      throw new IllegalArgumentException(
          "the source gave " + asset.relativePath() + " (asset " + asset.id() + ") of library \""
              + asset.libraryId() + "\" to library \"" + libraryId
              + "\": an asset's libraryId must be its library's id, or empty for the engine to fill");
    }
    return asset;
  }

  private Asset inLibrary(Asset asset) {
    return new Asset(
        asset.id(), libraryId, asset.relativePath(), asset.size(), asset.createdAt(), asset.createdAtSource(),
        asset.modifiedAt(), asset.changeStamp(), asset.contentHash());
  }

  @Override
  public String describe() {
    return source.describe();
  }

  /** Refuses a batch whole when an asset in it names another library: the scan then fails. */
  @Override
  public void scan(Consumer<List<Asset>> batches) throws IOException {
    source.scan(
        batch -> {
          List<Asset> owned = new ArrayList<>(batch.size());
          for (Asset asset : batch) {
            owned.add(own(asset));
          }
          batches.accept(List.copyOf(owned));
        });
  }

  @Override
  public InputStream open(Asset asset) throws IOException {
    return source.open(asset);
  }

  /** Only fills the id: what a refresh is read for is the asset's version, the engine keeps its own. */
  @Override
  public Optional<Asset> refresh(Asset asset) throws IOException {
    return source.refresh(asset).map(now -> now.libraryId().isEmpty() ? inLibrary(now) : now);
  }

  @Override
  public Optional<Path> localFile(Asset asset) throws IOException {
    return source.localFile(asset);
  }

  @Override
  public AutoCloseable watch(Runnable changed) throws IOException {
    return source.watch(changed);
  }
}

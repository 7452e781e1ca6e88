package dev.autoupload.engine.library;

import dev.autoupload.engine.upload.Sha256;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * An {@link AssetSource} of the photos and videos a host app hands over as bytes, for an app whose
 * library is not a folder (a phone's photo library, a database).
 *
 * <pre>{@code
 * InMemoryAssets photos = AssetSources.inMemory();
 * photos.put("A1B2-C3", "IMG_0001.JPG", jpegBytes, takenAt);
 * engine.addLibrary(new Library("camera", photos, target).watched());
 * }</pre>
 *
 * <p>Every method is thread-safe. What is put before the library is added is backed up by its
 * first scan; what is put or removed later is backed up only when the library is {@link
 * Library#watched() watched}: each change makes the engine scan again.
 */
public final class InMemoryAssets implements AssetSource {

  private final String libraryId;
  private final Map<String, Entry> byPath = new ConcurrentSkipListMap<>();
  private final List<Runnable> watchers = new CopyOnWriteArrayList<>();

  private record Entry(String id, byte[] content, Instant createdAt, String sha256) {}

  /**
   * An empty source whose assets leave their library id to the engine: it is given to whichever
   * {@link Library} it is added with. {@link AssetSources#inMemory()} makes the same.
   */
  public InMemoryAssets() {
    this.libraryId = "";
  }

  /**
   * An empty source for the library {@code libraryId}, whose assets name it.
   *
   * @param libraryId the id of the {@link Library} this source is given to
   */
  public InMemoryAssets(String libraryId) {
    this.libraryId = Objects.requireNonNull(libraryId, "libraryId");
  }

  /**
   * Hands over an asset, or new content for one handed over before under the same path (a new
   * version, backed up again). The same content handed over again, in this process or after a
   * restart, is the same version and is not uploaded again. The content is copied.
   *
   * @param id the host's stable id of the asset (the OS photo library's id), the same on every
   *     call and after a restart, so that what is backed up is never uploaded again
   * @param path where it sits in the library, '/'-separated; the target's layout uses its name
   * @param content the asset's bytes
   * @param createdAt when the photo or video was taken, as the host's library records it
   * @return the asset as the engine sees it, but for an empty library id when this source was
   *     made without one (the engine fills it)
   */
  public Asset put(String id, String path, byte[] content, Instant createdAt) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(createdAt, "createdAt");
    byte[] copy = content.clone();
    Entry entry = new Entry(id, copy, createdAt, HexFormat.of().formatHex(Sha256.newDigest().digest(copy)));
    byPath.put(path, entry);
    watchers.forEach(Runnable::run);
    return asset(path, entry);
  }

  /**
   * Takes the asset at {@code path} away; what is on the target stays there.
   *
   * @param path the path it was put under
   * @return whether an asset was there
   */
  public boolean remove(String path) {
    boolean removed = byPath.remove(path) != null;
    if (removed) {
      watchers.forEach(Runnable::run);
    }
    return removed;
  }

  /**
   * The assets handed over and not removed, by path.
   *
   * @return a copy
   */
  public List<Asset> assets() {
    List<Asset> assets = new ArrayList<>();
    byPath.forEach((path, entry) -> assets.add(asset(path, entry)));
    return assets;
  }

  private Asset asset(String path, Entry entry) {
    return new Asset(
        entry.id(),
        libraryId,
        path,
        entry.content().length,
        entry.createdAt(),
        CreationDateSource.HOST_APP,
        // The content itself tells versions apart: the same bytes handed over again after a
        // restart are the same version, already backed up; other bytes are a new one.
        entry.createdAt(),
        Optional.of("sha256:" + entry.sha256()),
        Optional.of(entry.sha256()));
  }

  @Override
  public String describe() {
    return libraryId.isEmpty() ? "memory" : "memory:" + libraryId;
  }

  @Override
  public void scan(Consumer<List<Asset>> batches) {
    List<Asset> assets = assets();
    for (int from = 0; from < assets.size(); from += 500) {
      batches.accept(List.copyOf(assets.subList(from, Math.min(from + 500, assets.size()))));
    }
  }

  /**
   * Opens the content now under the asset's path, as a folder would: when it was replaced since the
   * scan, the engine sees the change through {@link #refresh} and backs up the new version.
   *
   * @throws NoSuchFileException when nothing is under that path any more: the engine skips it
   */
  @Override
  public InputStream open(Asset asset) throws NoSuchFileException {
    Entry entry = byPath.get(asset.relativePath());
    if (entry == null) {
      throw new NoSuchFileException(asset.relativePath());
    }
    return new ByteArrayInputStream(entry.content());
  }

  @Override
  public Optional<Asset> refresh(Asset asset) {
    return Optional.ofNullable(byPath.get(asset.relativePath())).map(entry -> asset(asset.relativePath(), entry));
  }

  @Override
  public AutoCloseable watch(Runnable changed) {
    watchers.add(changed);
    return () -> watchers.remove(changed);
  }
}

package dev.autoupload.engine.library;

/**
 * The asset sources the engine itself provides. A library of files uses {@code
 * dev.autoupload.sources.folder.FolderSource} of the {@code autoupload-sources} module instead.
 */
public final class AssetSources {

  private AssetSources() {}

  /**
   * An empty source of the photos and videos the host app hands over as bytes; its assets get the
   * id of the library it is added with.
   *
   * <pre>{@code
   * InMemoryAssets photos = AssetSources.inMemory();
   * photos.put("A1B2-C3", "DCIM/IMG_0001.JPG", jpegBytes, takenAt);
   * engine.addLibrary(new Library("camera", photos, target));
   * }</pre>
   *
   * @return a new, empty source; see {@link InMemoryAssets} for when what is put later is backed up
   */
  public static InMemoryAssets inMemory() {
    return new InMemoryAssets();
  }
}

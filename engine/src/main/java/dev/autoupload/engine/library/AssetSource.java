package dev.autoupload.engine.library;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where a library's assets come from: a folder, or the assets a host app hands over.
 *
 * <p>Implementations are called from a blocking-I/O thread, never from an actor's own thread.
 */
public interface AssetSource {

  /**
   * A short human description for logs and status, e.g. the folder path.
   *
   * @return the description, never empty
   */
  String describe();

  /**
   * Enumerates every asset currently in the library, handing them over in batches so a library
   * of a million files never has to sit in one list.
   *
   * @param batches takes each batch in turn
   * @throws IOException when the library as a whole cannot be read (missing folder, no
   *     permission), or, after handing over everything else, when a part of it could not be (a
   *     sub-folder without permission); problems with single files are reported through {@link
   *     #open} instead
   */
  void scan(Consumer<List<Asset>> batches) throws IOException;

  /**
   * Opens the asset's content from its first byte. The caller closes the stream.
   *
   * @param asset an asset this source handed over
   * @return its content, from the first byte
   * @throws java.nio.file.NoSuchFileException when the asset no longer exists: the engine skips it
   * @throws IOException any other problem, with a message fit for the user: that asset fails
   */
  InputStream open(Asset asset) throws IOException;

  /**
   * The asset as the source sees it now (size, modification time), to tell whether it changed
   * while it was uploaded; empty when it no longer exists. Sources that cannot tell return it
   * unchanged.
   *
   * @param asset an asset this source handed over
   * @return the asset now; empty when it is gone
   * @throws IOException when the source cannot tell; treated as {@link #open} failing
   */
  default java.util.Optional<Asset> refresh(Asset asset) throws IOException {
    return java.util.Optional.of(asset);
  }

  /**
   * The local file that holds the asset, for freeing up space after its backup is proven; empty
   * where the source keeps no file of its own for it (an asset a host app hands over), and then its
   * original is never moved or deleted.
   *
   * @param asset an asset this source handed over
   * @return the file; empty when the source keeps none
   * @throws IOException when it cannot be told
   */
  default java.util.Optional<java.nio.file.Path> localFile(Asset asset) throws IOException {
    return java.util.Optional.empty();
  }

  /**
   * Starts telling {@code changed} whenever the library may have changed, until the returned
   * handle is closed; the engine then scans again. The source decides when to tell: after a burst
   * of changes has calmed down, and periodically where the OS may miss changes (network mounts).
   * {@code changed} may be called from any thread. Sources that cannot watch never call it.
   *
   * @param changed what to tell
   * @return closes to stop watching
   * @throws IOException when watching cannot start at all
   */
  default AutoCloseable watch(Runnable changed) throws IOException {
    return () -> {};
  }

  /**
   * What the source's last whole scan found and did not offer for a rule of its own (a folder's
   * files that are no photo or video by extension), for the library's status to show; {@link
   * NotOffered#NONE} before the first, and for a source that offers everything it finds.
   *
   * @return the files passed over
   */
  default NotOffered notOffered() {
    return NotOffered.NONE;
  }
}

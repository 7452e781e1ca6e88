package dev.autoupload.targets;

import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.local.LocalFolderTarget;
import java.net.URI;
import java.nio.file.Path;

/**
 * Where a host app gets its {@link UploadTarget}s: one factory method per way of naming a target.
 * The engine closes a library's target when it closes.
 */
public final class Targets {

  private Targets() {}

  /**
   * A folder on this machine (or a mounted share): each file is written to a part file, synced and
   * renamed into place, so a kill never leaves a half-written file under its final name. The folder
   * is created when the first file arrives.
   *
   * @param root the folder files are stored below
   * @return the target
   */
  public static UploadTarget localFolder(Path root) {
    return new LocalFolderTarget(root);
  }

  /**
   * The target {@code uri} names, with default timeouts and no password: {@code file:///dir},
   * {@code webdav://}, {@code webdavs://}, {@code nextcloud://}, {@code tus+https://}, {@code
   * koofr://}, and {@code s3://} with {@code autoupload-targets-s3} on the classpath (see {@link
   * TargetUris#open}).
   *
   * @param uri the target's URI
   * @return the target
   * @throws IllegalArgumentException with a one-line message saying what is supported, when the
   *     URI is malformed, relative, or of an unsupported scheme
   */
  public static UploadTarget open(URI uri) {
    return open(uri, TargetSettings.defaults());
  }

  /**
   * The target {@code uri} names, talking to its server as {@code settings} say; passwords and keys
   * come from {@code settings} ({@link TargetSettings#withPassword}), never from the URI.
   *
   * @param uri the target's URI
   * @param settings timeouts, TLS, secrets
   * @return the target
   * @throws IllegalArgumentException with a one-line message saying what is supported, when the
   *     URI is malformed, relative, or of an unsupported scheme
   */
  public static UploadTarget open(URI uri, TargetSettings settings) {
    return TargetUris.open(uri.toString(), settings);
  }
}

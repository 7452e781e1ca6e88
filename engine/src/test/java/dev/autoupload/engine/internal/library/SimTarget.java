package dev.autoupload.engine.internal.library;

import dev.autoupload.engine.upload.RemoteState;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A target: files by remote path; a publish never replaces a different file unless asked to, and
 * accepts the same content already there. What a probe tells of a file depends on its {@link Kind}.
 */
final class SimTarget {

  /** What the target tells of a file it holds. */
  enum Kind {
    /** Its sha256, as the local folder, S3 and Nextcloud do. */
    SHA256,
    /** Only its MD5, as Koofr does. */
    MD5_ONLY,
    /**
     * No hash, but its bytes can be read back, as plain WebDAV without its sidecar or a Koofr mount
     * of a connected Dropbox: the upload reads the file back to learn its sha256.
     */
    NO_HASH
  }

  private final Map<String, byte[]> files = new TreeMap<>();
  private final Kind kind;
  private long bytesReceived;

  SimTarget() {
    this(Kind.SHA256);
  }

  SimTarget(Kind kind) {
    this.kind = kind;
  }

  Kind kind() {
    return kind;
  }

  RemoteState probe(String remotePath) {
    byte[] file = files.get(remotePath);
    if (file == null) {
      return new RemoteState.Absent();
    }
    return switch (kind) {
      case SHA256 -> new RemoteState.Complete(file.length, Optional.of(SimFileSystem.Sha.of(file)));
      case MD5_ONLY -> new RemoteState.Complete(file.length, Optional.empty(), Optional.of(SimFileSystem.Sha.md5(file)));
      case NO_HASH -> new RemoteState.Complete(file.length, Optional.empty());
    };
  }

  /** The bytes under {@code remotePath}, read back; empty when there is no file. */
  Optional<byte[]> read(String remotePath) {
    return Optional.ofNullable(files.get(remotePath)).map(byte[]::clone);
  }

  /** Sends {@code content}, as a part file would receive it. */
  void receive(byte[] content) {
    bytesReceived += content.length;
  }

  /**
   * Publishes {@code content} under {@code remotePath}: false, leaving the file there, when a
   * different file holds the name and {@code replacing} is not set.
   */
  boolean publish(String remotePath, byte[] content, boolean replacing) {
    byte[] there = files.get(remotePath);
    if (there != null && !replacing && !SimFileSystem.Sha.of(there).equals(SimFileSystem.Sha.of(content))) {
      return false;
    }
    files.put(remotePath, content.clone());
    return true;
  }

  /** The sha256 of every file by remote path. */
  Map<String, String> contents() {
    Map<String, String> contents = new TreeMap<>();
    files.forEach((path, bytes) -> contents.put(path, SimFileSystem.Sha.of(bytes)));
    return contents;
  }

  Collection<String> paths() {
    return files.keySet();
  }

  long bytesReceived() {
    return bytesReceived;
  }
}

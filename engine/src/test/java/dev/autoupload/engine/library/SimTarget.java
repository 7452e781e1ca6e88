package dev.autoupload.engine.library;

import dev.autoupload.engine.upload.RemoteState;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A target as the local folder behaves: files by remote path, each with its sha256 known; a publish
 * never replaces a different file unless asked to, and accepts the same content already there.
 */
final class SimTarget {

  private final Map<String, byte[]> files = new TreeMap<>();
  private long bytesReceived;

  RemoteState probe(String remotePath) {
    byte[] file = files.get(remotePath);
    return file == null
        ? new RemoteState.Absent()
        : new RemoteState.Complete(file.length, Optional.of(SimFileSystem.Sha.of(file)));
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

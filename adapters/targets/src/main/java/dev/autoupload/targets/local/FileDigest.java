package dev.autoupload.targets.local;

import dev.autoupload.engine.upload.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/** Streams a file through SHA-256 without moving a channel's position. */
final class FileDigest {

  /** Hashing goes no faster with more, and every file checked allocates it anew. */
  private static final int BUFFER_SIZE = 64 * 1024;

  /** What was read: the byte count and the lowercase hex hash of exactly those bytes. */
  record Digest(long size, String hex) {

    boolean matches(long expectedSize, String expectedHex) {
      return size == expectedSize && hex.equalsIgnoreCase(expectedHex);
    }
  }

  private FileDigest() {}

  static Digest of(Path file) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      return of(channel);
    }
  }

  /** Hashes the channel's content from its first byte, leaving its position untouched. */
  static Digest of(FileChannel channel) throws IOException {
    MessageDigest digest = Sha256.newDigest();
    ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
    long position = 0;
    int read;
    while ((read = channel.read(buffer, position)) >= 0) {
      position += read;
      buffer.flip();
      digest.update(buffer);
      buffer.clear();
    }
    return new Digest(position, Sha256.hex(digest));
  }
}

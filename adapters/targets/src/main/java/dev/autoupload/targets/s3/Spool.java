package dev.autoupload.targets.s3;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Bytes waiting to be sent, kept in a temporary file so memory stays bounded whatever the size,
 * with their running sha256.
 */
final class Spool implements AutoCloseable {

  private final Path file;
  private final FileChannel channel;
  private MessageDigest digest = sha256();
  private long size;

  Spool() throws IOException {
    file = Files.createTempFile("autoupload-s3-", ".spool");
    try {
      channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
    } catch (IOException e) {
      Files.deleteIfExists(file);
      throw e;
    }
  }

  Path file() {
    return file;
  }

  long size() {
    return size;
  }

  /** Writes all remaining bytes of {@code bytes}. */
  void write(ByteBuffer bytes) throws IOException {
    digest.update(bytes.duplicate());
    while (bytes.hasRemaining()) {
      size += channel.write(bytes, size);
    }
  }

  /** The sha256 of what was written since the last {@link #clear()}. */
  byte[] sha256Digest() {
    try {
      return ((MessageDigest) digest.clone()).digest();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
    }
  }

  void clear() throws IOException {
    channel.truncate(0);
    size = 0;
    digest = sha256();
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Only temporary data was in it.
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // The system's temporary folder is cleaned eventually.
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}

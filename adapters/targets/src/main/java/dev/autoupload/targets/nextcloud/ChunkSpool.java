package dev.autoupload.targets.nextcloud;

import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The bytes of the request being filled (a chunk, or a small file sent whole), kept in a temporary
 * file so memory stays at one append whatever the chunk size.
 */
final class ChunkSpool implements AutoCloseable {

  private final Path file;
  private final FileChannel channel;
  private long size;

  ChunkSpool(Path spoolDir) throws UploadException {
    try {
      Files.createDirectories(spoolDir);
      file = Files.createTempFile(spoolDir, "autoupload-nextcloud-", ".spool");
    } catch (IOException e) {
      throw failure("cannot create a spool file in " + spoolDir, e);
    }
    try {
      channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
    } catch (IOException e) {
      deleteQuietly();
      throw failure("cannot open spool file " + file, e);
    }
  }

  Path file() {
    return file;
  }

  long size() {
    return size;
  }

  /** Writes all remaining bytes of {@code bytes}. */
  void write(ByteBuffer bytes) throws UploadException {
    try {
      while (bytes.hasRemaining()) {
        size += channel.write(bytes, size);
      }
    } catch (IOException e) {
      throw failure("cannot write spool file " + file, e);
    }
  }

  void clear() throws UploadException {
    try {
      channel.truncate(0);
    } catch (IOException e) {
      throw failure("cannot clear spool file " + file, e);
    }
    size = 0;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Only temporary data was in it; it is deleted next.
    }
    deleteQuietly();
  }

  private void deleteQuietly() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // A temporary file in the spool directory; the system cleans it up eventually.
    }
  }

  private static UploadException failure(String message, IOException e) {
    return new UploadException(new UploadError.Transient(message + ": " + e.getMessage()), e);
  }
}

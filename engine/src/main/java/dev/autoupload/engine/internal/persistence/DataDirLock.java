package dev.autoupload.engine.internal.persistence;

import dev.autoupload.engine.EngineStartException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * An exclusive OS lock on the data directory, so two engines never write one journal. The OS
 * drops the lock when the process dies, however it dies, so a kill -9 never leaves it stale.
 */
public final class DataDirLock implements AutoCloseable {

  /** The lock file in the data directory; it holds the pid of the process that has the lock. */
  public static final String FILE_NAME = "autoupload.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock or explains who holds it.
   *
   * @param dataDir the engine's data directory, created (private to its owner) when missing
   * @return the held lock; {@link #close()} releases it
   * @throws EngineStartException when the folder cannot be used; {@link
   *     EngineStartException.DataDirInUse} when another engine, in this process or another, holds
   *     the lock
   */
  public static DataDirLock acquire(Path dataDir) {
    Path file = dataDir.resolve(FILE_NAME);
    FileChannel channel;
    try {
      PrivateFiles.folder(dataDir);
      channel =
          FileChannel.open(
              file,
              Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
              PrivateFiles.newFile(dataDir));
    } catch (IOException e) {
      throw new EngineStartException(describe(dataDir, "cannot use data dir " + dataDir, e), e);
    }
    try {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        String holder = holder(channel);
        channel.close();
        throw new EngineStartException.DataDirInUse(
            "data dir " + dataDir + " is in use by another running Autoupload" + holder
                + "; stop it or choose another --data-dir");
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)), 0);
      channel.force(false);
      return new DataDirLock(channel, lock);
    } catch (OverlappingFileLockException e) {
      closeQuietly(channel);
      throw new EngineStartException.DataDirInUse(
          "data dir " + dataDir + " is in use by another engine in this process", e);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new EngineStartException(describe(dataDir, "cannot lock data dir " + dataDir, e), e);
    }
  }

  private static String holder(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(32);
      channel.read(buffer, 0);
      String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
      return pid.matches("\\d+") ? " (pid " + pid + ")" : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static String describe(Path dataDir, String what, IOException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (message.contains("No space left on device")) {
      return "no space left on " + dataDir + ": free some space and start again";
    }
    return what + ": " + message;
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Closing releases nothing we still need.
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // The channel close below releases it as well.
    }
    closeQuietly(channel);
  }
}

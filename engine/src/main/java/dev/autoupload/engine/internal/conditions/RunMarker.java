package dev.autoupload.engine.internal.conditions;

import dev.autoupload.engine.internal.persistence.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers across restarts that a run is under way, so an engine killed mid-run and started again
 * continues that run instead of waiting at the start gate for a new one.
 *
 * <p>{@link #started} and {@link #ended} do file I/O: the {@link ConditionMonitor} calls them off
 * its own thread, one after the other, and they never throw. A marker that cannot be written only
 * costs a restarted engine the start gate's wait, so it is logged, not fatal.
 */
public interface RunMarker {

  /**
   * Whether the last engine on this data was in a run when it stopped.
   *
   * @return true when a run was started and never ended
   */
  boolean wasRunning();

  /** Records that a run is under way. */
  void started();

  /** Records that no run is under way. */
  void ended();

  /**
   * Keeps nothing: every start is a new run.
   *
   * @return a marker that never was running
   */
  static RunMarker none() {
    return new RunMarker() {
      @Override
      public boolean wasRunning() {
        return false;
      }

      @Override
      public void started() {}

      @Override
      public void ended() {}
    };
  }

  /**
   * A file, private to its owner, that exists while a run is under way.
   *
   * @param path the file, in the engine's data folder
   * @return the marker
   */
  static RunMarker file(Path path) {
    Logger log = LoggerFactory.getLogger(RunMarker.class);
    return new RunMarker() {
      @Override
      public boolean wasRunning() {
        return Files.exists(path);
      }

      @Override
      public void started() {
        FileAttribute<?>[] privateFile = PrivateFiles.newFile(path.toAbsolutePath().getParent());
        try (var out =
            Files.newByteChannel(
                path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
                privateFile)) {
          out.write(
              java.nio.ByteBuffer.wrap(
                  "a run is under way; it continues after a restart\n".getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
          log.warn("Cannot write {}: {}; after a restart the run waits at the start gate again", path, e.toString());
        }
      }

      @Override
      public void ended() {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          log.warn("Cannot delete {}: {}; after a restart the run skips the start gate once", path, e.toString());
        }
      }
    };
  }
}

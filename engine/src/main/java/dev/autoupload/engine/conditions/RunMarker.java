package dev.autoupload.engine.conditions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Remembers across restarts that a run is under way, so an engine killed mid-run and started again
 * continues that run instead of waiting at the start gate for a new one.
 */
public interface RunMarker {

  boolean wasRunning();

  void started();

  void ended();

  /** Keeps nothing: every start is a new run. */
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

  /** A file that exists while a run is under way. */
  static RunMarker file(Path path) {
    return new RunMarker() {
      @Override
      public boolean wasRunning() {
        return Files.exists(path);
      }

      @Override
      public void started() {
        try {
          Files.writeString(path, "a run is under way; it continues after a restart\n");
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write " + path, e);
        }
      }

      @Override
      public void ended() {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot delete " + path, e);
        }
      }
    };
  }
}

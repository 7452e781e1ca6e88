package dev.autoupload.sources.folder;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a folder tree through the OS (inotify on Linux) and calls back once a burst of changes
 * has been quiet for a while, and also every rescan interval, since network mounts report nothing.
 * One daemon thread per watch; closing the watch ends it.
 */
final class FolderWatch implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FolderWatch.class);

  private final Path root;
  private final WatchService service;
  private final Runnable changed;
  private final Duration quietPeriod;
  private final Duration rescanInterval;
  private final Thread thread;

  private FolderWatch(Path root, Runnable changed, Duration quietPeriod, Duration rescanInterval) throws IOException {
    this.root = root;
    this.service = root.getFileSystem().newWatchService();
    this.changed = changed;
    this.quietPeriod = quietPeriod;
    this.rescanInterval = rescanInterval;
    this.thread = new Thread(this::run, "autoupload-watch " + root.getFileName());
    this.thread.setDaemon(true);
  }

  static FolderWatch start(Path root, Runnable changed, Duration quietPeriod, Duration rescanInterval)
      throws IOException {
    FolderWatch watch = new FolderWatch(root, changed, quietPeriod, rescanInterval);
    try {
      watch.registerTree(root);
    } catch (IOException e) {
      watch.service.close();
      throw e;
    }
    watch.thread.start();
    return watch;
  }

  @Override
  public void close() throws IOException {
    service.close();
    thread.interrupt();
  }

  private void run() {
    try {
      while (true) {
        WatchKey key = service.poll(rescanInterval.toMillis(), TimeUnit.MILLISECONDS);
        if (key != null) {
          handle(key);
          // A camera import is hundreds of events: wait until they stop, then one rescan.
          WatchKey more;
          while ((more = service.poll(quietPeriod.toMillis(), TimeUnit.MILLISECONDS)) != null) {
            handle(more);
          }
        }
        changed.run();
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      log.debug("stopped watching {}", root);
    } catch (RuntimeException e) {
      log.warn("watching {} failed: {}", root, e.toString());
    }
  }

  private void handle(WatchKey key) {
    for (WatchEvent<?> event : key.pollEvents()) {
      if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && key.watchable() instanceof Path folder) {
        Path created = folder.resolve((Path) event.context());
        if (Files.isDirectory(created, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !hidden(created)) {
          try {
            registerTree(created);
          } catch (IOException e) {
            log.warn("cannot watch {}: {}; the periodic rescan still finds its files", created, e.getMessage());
          }
        }
      }
    }
    key.reset();
  }

  private void registerTree(Path top) throws IOException {
    Files.walkFileTree(
        top,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
            if (!dir.equals(root) && hidden(dir)) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            dir.register(
                service,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_DELETE,
                StandardWatchEventKinds.ENTRY_MODIFY);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            log.warn("cannot watch {}: {}", file, e.getMessage());
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static boolean hidden(Path path) {
    return path.getFileName() != null && path.getFileName().toString().startsWith(".");
  }
}

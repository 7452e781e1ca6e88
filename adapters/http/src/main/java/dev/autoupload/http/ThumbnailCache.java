package dev.autoupload.http;

import dev.autoupload.engine.activity.ActivityItem;
import dev.autoupload.engine.internal.persistence.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thumbnails made so far, under {@code <data-dir>/thumbnails} (a folder and files only the
 * owner may read), one {@code <sha256>.jpg} per content: an edited photo gets a new one. Only the
 * {@code keep} last shown are kept, so the folder does not grow with the library. They are
 * made on a few threads of their own with a bounded queue, never on the HTTP server's; a full
 * queue answers 503. Tiles are not stored: they cost nothing, and one that stands for a file that
 * could not be read now would hide its picture once it can.
 */
final class ThumbnailCache implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ThumbnailCache.class);
  static final String FOLDER = "thumbnails";
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final Path dir;
  private final Thumbnails.Limits limits;
  private final int keep;
  private final ThreadPoolExecutor makers;

  ThumbnailCache(Path dataDir, HttpSettings.ThumbnailSettings settings) {
    this.dir = dataDir.resolve(FOLDER);
    this.limits = new Thumbnails.Limits(settings.maxOriginalSize(), settings.maxPixels());
    this.keep = settings.keep();
    AtomicInteger threads = new AtomicInteger();
    this.makers =
        new ThreadPoolExecutor(
            settings.parallelism(),
            settings.parallelism(),
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(settings.queue()),
            work -> {
              Thread thread = new Thread(work, "autoupload-thumbnails-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    makers.allowCoreThreadTimeOut(true);
  }

  /** The JPEG for {@code item}, from the folder or made from {@code original} now. */
  CompletionStage<byte[]> get(ActivityItem item, Thumbnails.Original original) {
    try {
      return CompletableFuture.supplyAsync(() -> load(item, original), makers);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(
          new ApiProblem(StatusCodes.SERVICE_UNAVAILABLE, "too many thumbnails asked for at once; try again", Optional.empty()));
    }
  }

  private byte[] load(ActivityItem item, Thumbnails.Original original) {
    Optional<Path> file = item.sha256().filter(sha -> SHA256.matcher(sha).matches()).map(sha -> dir.resolve(sha + ".jpg"));
    if (file.isPresent() && Files.isRegularFile(file.get(), LinkOption.NOFOLLOW_LINKS)) {
      try {
        byte[] kept = Files.readAllBytes(file.get());
        // Shown again: among the last to go.
        Files.setLastModifiedTime(file.get(), FileTime.from(Instant.now()));
        return kept;
      } catch (IOException e) {
        log.warn("Cannot read the thumbnail {}; making it again: {}", file.get(), e.getMessage());
      }
    }
    Thumbnails.Thumbnail made = Thumbnails.of(item.path(), item.bytes(), original, limits);
    if (file.isPresent() && made.source() != Thumbnails.Source.TILE) {
      try {
        store(file.get(), made.jpeg());
        prune();
      } catch (IOException e) {
        // The page still gets its picture; it is made again next time.
        log.warn("Cannot keep a thumbnail in {}: {}", dir, e.getMessage());
      }
    }
    return made.jpeg();
  }

  private void store(Path file, byte[] jpeg) throws IOException {
    PrivateFiles.folder(dir);
    Path partial = Files.createTempFile(dir, "making-", ".part", PrivateFiles.newFile(dir));
    try {
      Files.write(partial, jpeg);
      Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  /** Removes the thumbnails shown least recently beyond the {@code keep} newest. */
  private synchronized void prune() throws IOException {
    List<Path> kept;
    try (Stream<Path> files = Files.list(dir)) {
      kept = files.filter(path -> path.getFileName().toString().endsWith(".jpg")).toList();
    }
    if (kept.size() <= keep) {
      return;
    }
    Map<Path, FileTime> shown = new HashMap<>();
    for (Path path : kept) {
      try {
        shown.put(path, Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS));
      } catch (NoSuchFileException e) {
        // Pruned meanwhile.
      }
    }
    List<Path> oldestFirst = shown.keySet().stream().sorted(Comparator.comparing(shown::get)).toList();
    for (Path path : oldestFirst.subList(0, Math.max(0, oldestFirst.size() - keep))) {
      Files.deleteIfExists(path);
    }
  }

  @Override
  public void close() {
    makers.shutdownNow();
  }
}

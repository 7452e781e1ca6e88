package dev.autoupload.http;

import dev.autoupload.engine.activity.ActivityItem;
import dev.autoupload.engine.persistence.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thumbnails made so far, under {@code <data-dir>/thumbnails} (a folder and files only the
 * owner may read), one {@code <sha256>.jpg} per content: an edited photo gets a new one. They are
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
  private final ThreadPoolExecutor makers;

  ThumbnailCache(Path dataDir, HttpSettings.ThumbnailSettings settings) {
    this.dir = dataDir.resolve(FOLDER);
    this.limits = new Thumbnails.Limits(settings.maxOriginalSize(), settings.maxPixels());
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
        return Files.readAllBytes(file.get());
      } catch (IOException e) {
        log.warn("Cannot read the thumbnail {}; making it again: {}", file.get(), e.getMessage());
      }
    }
    Thumbnails.Thumbnail made = Thumbnails.of(item.path(), item.bytes(), original, limits);
    if (file.isPresent() && made.source() != Thumbnails.Source.TILE) {
      try {
        store(file.get(), made.jpeg());
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

  @Override
  public void close() {
    makers.shutdownNow();
  }
}

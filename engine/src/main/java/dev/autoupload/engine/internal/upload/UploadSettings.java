package dev.autoupload.engine.internal.upload;

import com.typesafe.config.Config;
import dev.autoupload.engine.internal.library.QueueOrder;
import dev.autoupload.engine.upload.ConflictPolicy;
import java.time.Duration;

/** The {@code autoupload.upload} settings, read once from config. */
public record UploadSettings(
    int parallelism,
    int chunkBytes,
    long checkpointBytes,
    int maxAttempts,
    Duration minBackoff,
    Duration maxBackoff,
    double randomFactor,
    ConflictPolicy onConflict,
    boolean uploadSameContentTwice,
    QueueOrder queueOrder) {

  /** Settings that keep both files on a conflict. */
  public UploadSettings(
      int parallelism,
      int chunkBytes,
      long checkpointBytes,
      int maxAttempts,
      Duration minBackoff,
      Duration maxBackoff,
      double randomFactor) {
    this(
        parallelism, chunkBytes, checkpointBytes, maxAttempts, minBackoff, maxBackoff, randomFactor,
        ConflictPolicy.KEEP_BOTH, false, QueueOrder.DEFAULT);
  }

  /** Settings with the conflict and same-content policies given, newest first. */
  public UploadSettings(
      int parallelism,
      int chunkBytes,
      long checkpointBytes,
      int maxAttempts,
      Duration minBackoff,
      Duration maxBackoff,
      double randomFactor,
      ConflictPolicy onConflict,
      boolean uploadSameContentTwice) {
    this(
        parallelism, chunkBytes, checkpointBytes, maxAttempts, minBackoff, maxBackoff, randomFactor, onConflict,
        uploadSameContentTwice, QueueOrder.DEFAULT);
  }

  public UploadSettings {
    java.util.Objects.requireNonNull(onConflict, "onConflict");
    java.util.Objects.requireNonNull(queueOrder, "queueOrder");
    if (parallelism < 1) {
      throw new IllegalArgumentException("autoupload.upload.parallelism must be at least 1");
    }
    if (chunkBytes < 1) {
      throw new IllegalArgumentException("autoupload.upload.chunk-bytes must be at least 1 byte");
    }
    if (checkpointBytes < chunkBytes) {
      throw new IllegalArgumentException(
          "autoupload.upload.checkpoint-bytes must be at least chunk-bytes");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("autoupload.upload.retry.max-attempts must be at least 1");
    }
    if (minBackoff.isNegative()) {
      throw new IllegalArgumentException("autoupload.upload.retry.min-backoff must not be negative");
    }
    if (maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException("autoupload.upload.retry.max-backoff must be at least min-backoff");
    }
    if (randomFactor < 0) {
      throw new IllegalArgumentException("autoupload.upload.retry.random-factor must not be negative");
    }
  }

  public static UploadSettings from(Config config) {
    Config upload = config.getConfig("autoupload.upload");
    long chunk = upload.getBytes("chunk-bytes");
    if (chunk > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("autoupload.upload.chunk-bytes must be below 2 GiB");
    }
    return new UploadSettings(
        upload.getInt("parallelism"),
        (int) chunk,
        upload.getBytes("checkpoint-bytes"),
        upload.getInt("retry.max-attempts"),
        upload.getDuration("retry.min-backoff"),
        upload.getDuration("retry.max-backoff"),
        upload.getDouble("retry.random-factor"),
        ConflictPolicy.parse(upload.getString("on-conflict")),
        sameContentTwice(upload.getString("same-content")),
        QueueOrder.from(config));
  }

  private static boolean sameContentTwice(String value) {
    return switch (value) {
      case "alias" -> false;
      case "upload-both" -> true;
      default ->
          throw new IllegalArgumentException(
              "autoupload.upload.same-content must be alias or upload-both, not \"" + value + "\"");
    };
  }

  public UploadSettings withOnConflict(ConflictPolicy onConflict) {
    return new UploadSettings(
        parallelism, chunkBytes, checkpointBytes, maxAttempts, minBackoff, maxBackoff, randomFactor, onConflict,
        uploadSameContentTwice, queueOrder);
  }

  public UploadSettings withUploadSameContentTwice(boolean uploadSameContentTwice) {
    return new UploadSettings(
        parallelism, chunkBytes, checkpointBytes, maxAttempts, minBackoff, maxBackoff, randomFactor, onConflict,
        uploadSameContentTwice, queueOrder);
  }

  public UploadSettings withQueueOrder(QueueOrder queueOrder) {
    return new UploadSettings(
        parallelism, chunkBytes, checkpointBytes, maxAttempts, minBackoff, maxBackoff, randomFactor, onConflict,
        uploadSameContentTwice, queueOrder);
  }

  /**
   * How long to wait before the given retry (1 for the first), with jitter drawn from {@code
   * random} in [0, 1).
   */
  public Duration backoff(int retry, double random) {
    double base = minBackoff.toMillis() * Math.pow(2, Math.max(0, retry - 1));
    double capped = Math.min(base, maxBackoff.toMillis());
    return Duration.ofMillis((long) (capped * (1 + randomFactor * random)));
  }
}

package dev.autoupload.engine.internal.upload;

import com.typesafe.config.Config;
import dev.autoupload.engine.internal.library.QueueOrder;
import dev.autoupload.engine.upload.ConflictPolicy;
import java.time.Duration;

/**
 * The {@code autoupload.upload} settings, read once from config.
 *
 * @param parallelism uploads one library runs at once, at most
 * @param chunkBytes the size of each append to a target's session
 * @param checkpointBytes the upload's offset is journaled at most once per this many bytes, so a
 *     kill sends at most this much again
 * @param maxAttempts attempts per asset per run before it is marked failed
 * @param minBackoff the wait before the first retry
 * @param maxBackoff the longest wait between two attempts
 * @param randomFactor how much jitter stretches a wait: up to this fraction more
 * @param onConflict what to do about a different file under the remote path
 * @param uploadSameContentTwice whether content already backed up under another name is sent
 *     again ({@code same-content = upload-both}) rather than recorded as an alias
 * @param queueOrder which queued asset goes first
 */
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

  /**
   * Settings that keep both files on a conflict, alias content already backed up, and queue newest
   * first. For tests.
   *
   * @param parallelism uploads one library runs at once, at most
   * @param chunkBytes the size of each append
   * @param checkpointBytes the offset is journaled at most once per this many bytes
   * @param maxAttempts attempts per asset per run
   * @param minBackoff the wait before the first retry
   * @param maxBackoff the longest wait between two attempts
   * @param randomFactor how much jitter stretches a wait
   */
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

  /**
   * Settings with the conflict and same-content policies given, newest first. For tests.
   *
   * @param parallelism uploads one library runs at once, at most
   * @param chunkBytes the size of each append
   * @param checkpointBytes the offset is journaled at most once per this many bytes
   * @param maxAttempts attempts per asset per run
   * @param minBackoff the wait before the first retry
   * @param maxBackoff the longest wait between two attempts
   * @param randomFactor how much jitter stretches a wait
   * @param onConflict what to do about a different file under the remote path
   * @param uploadSameContentTwice whether content already backed up is sent again
   */
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

  /**
   * Checks the settings, naming the configuration key of a bad one.
   *
   * @param parallelism at least 1
   * @param chunkBytes at least 1
   * @param checkpointBytes at least {@code chunkBytes}
   * @param maxAttempts at least 1
   * @param minBackoff not negative
   * @param maxBackoff at least {@code minBackoff}
   * @param randomFactor not negative
   * @param onConflict not null
   * @param uploadSameContentTwice whether content already backed up is sent again
   * @param queueOrder not null
   * @throws IllegalArgumentException when a value is out of range
   */
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

  /**
   * Reads {@code autoupload.upload} (and the queue order) from the engine's configuration.
   *
   * @param config the configuration, with the engine's defaults under it
   * @return the settings
   * @throws IllegalArgumentException when a value is out of range or unknown
   */
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

  /**
   * These settings with another conflict policy. For tests.
   *
   * @param onConflict what to do about a different file under the remote path
   * @return a copy with the policy replaced
   */
  public UploadSettings withOnConflict(ConflictPolicy onConflict) {
    return new UploadSettings(
        parallelism, chunkBytes, checkpointBytes, maxAttempts, minBackoff, maxBackoff, randomFactor, onConflict,
        uploadSameContentTwice, queueOrder);
  }

  /**
   * These settings with another same-content policy. For tests.
   *
   * @param uploadSameContentTwice whether content already backed up is sent again
   * @return a copy with the policy replaced
   */
  public UploadSettings withUploadSameContentTwice(boolean uploadSameContentTwice) {
    return new UploadSettings(
        parallelism, chunkBytes, checkpointBytes, maxAttempts, minBackoff, maxBackoff, randomFactor, onConflict,
        uploadSameContentTwice, queueOrder);
  }

  /**
   * These settings with another queue order. For tests.
   *
   * @param queueOrder which queued asset goes first
   * @return a copy with the order replaced
   */
  public UploadSettings withQueueOrder(QueueOrder queueOrder) {
    return new UploadSettings(
        parallelism, chunkBytes, checkpointBytes, maxAttempts, minBackoff, maxBackoff, randomFactor, onConflict,
        uploadSameContentTwice, queueOrder);
  }

  /**
   * How long to wait before the given retry (1 for the first), with jitter drawn from {@code
   * random} in [0, 1).
   *
   * @param retry the retry's number, from 1
   * @param random a draw in [0, 1)
   * @return {@code minBackoff} doubled per earlier retry, capped at {@code maxBackoff}, then
   *     stretched by up to {@code randomFactor}
   */
  public Duration backoff(int retry, double random) {
    double base = minBackoff.toMillis() * Math.pow(2, Math.max(0, retry - 1));
    double capped = Math.min(base, maxBackoff.toMillis());
    return Duration.ofMillis((long) (capped * (1 + randomFactor * random)));
  }
}

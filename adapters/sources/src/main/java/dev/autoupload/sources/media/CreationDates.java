package dev.autoupload.sources.media;

import com.drew.imaging.ImageMetadataReader;
import com.drew.imaging.ImageProcessingException;
import com.drew.metadata.Directory;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifSubIFDDirectory;
import com.drew.metadata.mov.QuickTimeDirectory;
import com.drew.metadata.mov.metadata.QuickTimeMetadataDirectory;
import com.drew.metadata.mp4.Mp4Directory;
import dev.autoupload.engine.library.CreationDateSource;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a photo or video was taken, read from the file itself: EXIF DateTimeOriginal with its
 * OffsetTimeOriginal for photos, the creation time of a QuickTime or MP4 movie for videos (Apple's
 * {@code com.apple.quicktime.creationdate}, which carries the local offset, first), and the file's
 * own time as the last resort. Metadata that is missing, unreadable or absurd (before 1970, or in
 * the future) is passed over, never an error: a photo without EXIF is still a photo to back up.
 */
public final class CreationDates {

  private static final Logger log = LoggerFactory.getLogger(CreationDates.class);

  /** EXIF's "2023:06:01 14:30:00"; some cameras write dashes. */
  private static final DateTimeFormatter EXIF_DATE_TIME =
      new DateTimeFormatterBuilder()
          .appendPattern("yyyy[:][-]MM[:][-]dd HH:mm:ss")
          .toFormatter();

  /** Apple's "2023-06-01T14:30:00+0200" (also with a colon in the offset). */
  private static final DateTimeFormatter APPLE_CREATION_DATE =
      new DateTimeFormatterBuilder()
          .appendPattern("yyyy-MM-dd'T'HH:mm:ss")
          .optionalStart()
          .appendPattern(".SSS")
          .optionalEnd()
          .appendPattern("[XXX][XX][X]")
          .toFormatter();

  /** The earliest date believed: QuickTime writes 0 (1904) and cameras 0000:00:00 when unset. */
  private static final Instant EARLIEST = Instant.parse("1970-01-02T00:00:00Z");

  private final ZoneId localZone;

  /**
   * A reader of creation dates for the files of one device.
   *
   * @param localZone the zone that EXIF times carrying no offset are read in: the device's own
   *     zone, since a camera writes its local clock time (the folder source passes the system
   *     default)
   */
  public CreationDates(ZoneId localZone) {
    this.localZone = localZone;
  }

  /** A creation date and where it came from. */
  public record CreationDate(Instant instant, CreationDateSource source) {}

  /**
   * The best creation date of {@code file}; {@code fileTime} (see {@link
   * #fileTime(Instant, Instant)}) when the file's metadata tells none. Reads the file, so it blocks
   * on I/O; it never throws for a file that is missing, unreadable or of an unknown format.
   *
   * @param file the photo or video to read
   * @param fileTime the date to fall back on, from the file's attributes
   * @return the date and its {@link CreationDateSource}: {@code FILE_TIME} when it is {@code
   *     fileTime}
   */
  public CreationDate of(Path file, Instant fileTime) {
    Metadata metadata;
    try {
      metadata = ImageMetadataReader.readMetadata(file.toFile());
    } catch (ImageProcessingException | IOException | RuntimeException e) {
      // Not a format the reader knows, or a damaged file: its file time is all there is.
      log.debug("no metadata in {}: {}", file, e.toString());
      return new CreationDate(fileTime, CreationDateSource.FILE_TIME);
    }
    return fromExif(metadata)
        .or(() -> fromVideo(metadata))
        .orElseGet(() -> new CreationDate(fileTime, CreationDateSource.FILE_TIME));
  }

  /**
   * The file's own best guess: its creation time, unless that is after the modification time,
   * which happens when a copy got a fresh creation time but kept the modification time.
   *
   * @param creationTime the file's creation time; {@code null} or the epoch where the filesystem
   *     keeps none
   * @param modifiedAt the file's last modification time
   * @return {@code creationTime}, or {@code modifiedAt} when the creation time is missing or later
   */
  public static Instant fileTime(Instant creationTime, Instant modifiedAt) {
    if (creationTime == null || creationTime.equals(Instant.EPOCH) || creationTime.isAfter(modifiedAt)) {
      return modifiedAt;
    }
    return creationTime;
  }

  private Optional<CreationDate> fromExif(Metadata metadata) {
    for (ExifSubIFDDirectory exif : metadata.getDirectoriesOfType(ExifSubIFDDirectory.class)) {
      String taken = trimmed(exif.getString(ExifSubIFDDirectory.TAG_DATETIME_ORIGINAL));
      if (taken == null) {
        continue;
      }
      LocalDateTime local;
      try {
        local = LocalDateTime.parse(taken, EXIF_DATE_TIME);
      } catch (DateTimeParseException e) {
        continue;
      }
      Optional<ZoneOffset> offset = offset(trimmed(exif.getString(ExifSubIFDDirectory.TAG_TIME_ZONE_ORIGINAL)));
      CreationDate date =
          offset.isPresent()
              ? new CreationDate(local.toInstant(offset.get()), CreationDateSource.EXIF)
              : new CreationDate(local.atZone(localZone).toInstant(), CreationDateSource.EXIF_LOCAL_TIME);
      if (believable(date.instant())) {
        return Optional.of(date);
      }
    }
    return Optional.empty();
  }

  private static Optional<CreationDate> fromVideo(Metadata metadata) {
    for (QuickTimeMetadataDirectory apple : metadata.getDirectoriesOfType(QuickTimeMetadataDirectory.class)) {
      String value = trimmed(apple.getString(QuickTimeMetadataDirectory.TAG_CREATION_DATE));
      if (value != null) {
        try {
          Instant instant = OffsetDateTime.parse(value, APPLE_CREATION_DATE).toInstant();
          if (believable(instant)) {
            return Optional.of(new CreationDate(instant, CreationDateSource.VIDEO_METADATA));
          }
        } catch (DateTimeParseException e) {
          // Fall through to the movie header.
        }
      }
    }
    return movieHeaderDate(metadata, QuickTimeDirectory.class, QuickTimeDirectory.TAG_CREATION_TIME)
        .or(() -> movieHeaderDate(metadata, Mp4Directory.class, Mp4Directory.TAG_CREATION_TIME))
        .map(instant -> new CreationDate(instant, CreationDateSource.VIDEO_METADATA));
  }

  /** The movie header's creation time, which QuickTime defines in UTC. */
  private static <T extends Directory> Optional<Instant> movieHeaderDate(Metadata metadata, Class<T> type, int tag) {
    for (T directory : metadata.getDirectoriesOfType(type)) {
      Date date = directory.getDate(tag);
      if (date != null && believable(date.toInstant())) {
        return Optional.of(date.toInstant());
      }
    }
    return Optional.empty();
  }

  private static Optional<ZoneOffset> offset(String value) {
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(ZoneOffset.of(value));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static boolean believable(Instant instant) {
    return !instant.isBefore(EARLIEST) && instant.isBefore(Instant.now().plusSeconds(86_400));
  }

  private static String trimmed(String value) {
    if (value == null) {
      return null;
    }
    String trimmed = value.replace("\0", "").trim();
    return trimmed.isEmpty() ? null : trimmed;
  }
}

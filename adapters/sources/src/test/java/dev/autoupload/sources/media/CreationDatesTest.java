package dev.autoupload.sources.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.library.CreationDateSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CreationDatesTest {

  private static final Instant FILE_TIME = Instant.parse("2026-11-25T08:00:00Z");

  @TempDir Path dir;

  private final CreationDates dates = new CreationDates(ZoneId.of("Europe/Zurich"));

  @Test
  void aPhotoWasTakenWhenItsExifSaysInTheTimeZoneItRecorded() throws Exception {
    Path photo = TestMedia.jpegTakenAt(dir.resolve("tokyo.jpg"), "2023:06:01 14:30:00", Optional.of("+09:00"));

    assertThat(dates.of(photo, FILE_TIME))
        .isEqualTo(new CreationDates.CreationDate(Instant.parse("2023-06-01T05:30:00Z"), CreationDateSource.EXIF));
  }

  @Test
  void exifWithoutAnOffsetIsTheDevicesLocalTime() throws Exception {
    Path photo = TestMedia.jpegTakenAt(dir.resolve("zurich.jpg"), "2023:01:15 09:00:00", Optional.empty());

    assertThat(dates.of(photo, FILE_TIME))
        .isEqualTo(
            new CreationDates.CreationDate(Instant.parse("2023-01-15T08:00:00Z"), CreationDateSource.EXIF_LOCAL_TIME));
  }

  @Test
  void aQuickTimeOrMp4VideoWasTakenWhenItsMovieHeaderSays() throws Exception {
    Instant created = Instant.parse("2022-12-31T23:59:58Z");
    Path mov = TestMedia.movieCreatedAt(dir.resolve("clip.mov"), "qt  ", created);
    Path mp4 = TestMedia.movieCreatedAt(dir.resolve("clip.mp4"), "isom", created);

    assertThat(dates.of(mov, FILE_TIME))
        .isEqualTo(new CreationDates.CreationDate(created, CreationDateSource.VIDEO_METADATA));
    assertThat(dates.of(mp4, FILE_TIME))
        .isEqualTo(new CreationDates.CreationDate(created, CreationDateSource.VIDEO_METADATA));
  }

  @Test
  void withoutUsableMetadataTheFileTimeIsUsedAndSaidSo() throws Exception {
    Path noise = dir.resolve("noise.jpg");
    byte[] random = new byte[64 * 1024];
    new SplittableRandom(1).nextBytes(random);
    Files.write(noise, random);
    Path plain = Files.write(dir.resolve("plain.jpg"), TestMedia.plainJpeg());
    Path unset = TestMedia.jpegTakenAt(dir.resolve("unset.jpg"), "0000:00:00 00:00:00", Optional.empty());
    Path epoch = TestMedia.movieCreatedAt(dir.resolve("epoch.mov"), "qt  ", Instant.parse("1904-01-01T00:00:00Z"));
    Path empty = Files.write(dir.resolve("empty.heic"), new byte[0]);

    for (Path file : new Path[] {noise, plain, unset, epoch, empty}) {
      assertThat(dates.of(file, FILE_TIME))
          .as(file.getFileName().toString())
          .isEqualTo(new CreationDates.CreationDate(FILE_TIME, CreationDateSource.FILE_TIME));
    }
  }

  @Test
  void aCopysFreshCreationTimeGivesWayToItsModificationTime() {
    Instant modified = Instant.parse("2023-06-01T12:00:00Z");

    assertThat(CreationDates.fileTime(Instant.parse("2026-11-25T08:00:00Z"), modified)).isEqualTo(modified);
    assertThat(CreationDates.fileTime(Instant.parse("2023-05-01T00:00:00Z"), modified))
        .isEqualTo(Instant.parse("2023-05-01T00:00:00Z"));
    assertThat(CreationDates.fileTime(Instant.EPOCH, modified)).isEqualTo(modified);
    assertThat(CreationDates.fileTime(null, modified)).isEqualTo(modified);
  }
}

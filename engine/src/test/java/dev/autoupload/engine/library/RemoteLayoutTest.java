package dev.autoupload.engine.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RemoteLayoutTest {

  private static final ZoneId ZURICH = ZoneId.of("Europe/Zurich");

  private static Asset asset(String path, String createdAt) {
    Instant created = Instant.parse(createdAt);
    return new Asset("id", "lib", path, 1, created, CreationDateSource.EXIF, Instant.parse("2026-11-25T00:00:00Z"), Optional.empty());
  }

  @Test
  void filesAPhotoByTheMonthItWasTakenNotWhereItLies() {
    RemoteLayout layout = RemoteLayout.of(RemoteLayout.DEFAULT_PATTERN, ZURICH);

    assertThat(layout.remotePath(asset("DCIM/100APPLE/IMG_0001.HEIC", "2023-05-14T09:30:00Z")))
        .isEqualTo("2023/05/IMG_0001.HEIC");
  }

  @Test
  void readsTheDateInTheConfiguredZone() {
    String newYearsEveInUtc = "2023-12-31T23:30:00Z";

    assertThat(RemoteLayout.of("{yyyy}/{MM}/{dd}/{filename}", ZURICH).remotePath(asset("a.jpg", newYearsEveInUtc)))
        .isEqualTo("2024/01/01/a.jpg");
    assertThat(RemoteLayout.of("{yyyy}/{MM}/{dd}/{filename}", ZoneId.of("UTC")).remotePath(asset("a.jpg", newYearsEveInUtc)))
        .isEqualTo("2023/12/31/a.jpg");
  }

  @Test
  void offersTheSourcesFoldersAndNamePartsAsTokens() {
    Asset photo = asset("Trips/Zürich/IMG_0002.jpg", "2022-07-01T12:00:00Z");

    assertThat(RemoteLayout.MIRROR.remotePath(photo)).isEqualTo("Trips/Zürich/IMG_0002.jpg");
    assertThat(RemoteLayout.of("{folder}/{yyyy}-{MM} {name}.{ext}", ZURICH).remotePath(photo))
        .isEqualTo("Trips/Zürich/2022-07 IMG_0002.jpg");
    assertThat(RemoteLayout.of("{folder}/{filename}", ZURICH).remotePath(asset("top.jpg", "2022-07-01T12:00:00Z")))
        .as("an empty folder at the top leaves no empty segment")
        .isEqualTo("top.jpg");
  }

  @Test
  void writesNamesInComposedFormAndReplacesWhatNoTargetStores() {
    String decomposed = Normalizer.normalize("Été/café\u0007\\x.jpg", Normalizer.Form.NFD);

    String remote = RemoteLayout.MIRROR.remotePath(asset(decomposed, "2022-07-01T12:00:00Z"));

    assertThat(remote).isEqualTo("Été/café__x.jpg");
    assertThat(Normalizer.isNormalized(remote, Normalizer.Form.NFC)).isTrue();
  }

  @Test
  void shortensOverLongNamesDeterministicallyKeepingTheExtension() {
    String longName = "Ferienfotos vom Strand ".repeat(10) + "🌊".repeat(30) + ".jpeg";
    Asset photo = asset(longName, "2022-07-01T12:00:00Z");
    Asset other = asset("Ferienfotos vom Strand ".repeat(10) + "🌊".repeat(31) + ".jpeg", "2022-07-01T12:00:00Z");

    String remote = RemoteLayout.MIRROR.remotePath(photo);

    assertThat(remote.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
    assertThat(remote).endsWith(".jpeg").startsWith("Ferienfotos vom Strand").contains("~");
    assertThat(RemoteLayout.MIRROR.remotePath(photo)).as("the same every time").isEqualTo(remote);
    assertThat(RemoteLayout.MIRROR.remotePath(other)).as("another long name, another short one").isNotEqualTo(remote);
    assertThat(RemoteLayout.MIRROR.remotePath(asset("short.jpg", "2022-07-01T12:00:00Z"))).isEqualTo("short.jpg");
  }

  @Test
  void keepsBothUnderANameFromTheContentHashNeverACounter() {
    String sha256 = "3F2A9C1B" + "0".repeat(56);

    assertThat(RemoteLayout.keepBothPath("2024/05/IMG_0001.JPG", sha256)).isEqualTo("2024/05/IMG_0001~3f2a9c1b.JPG");
    assertThat(RemoteLayout.keepBothPath("README", sha256)).isEqualTo("README~3f2a9c1b");
    assertThat(RemoteLayout.keepBothPath("a/.hidden", sha256)).isEqualTo("a/.hidden~3f2a9c1b");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "{yyyy}/{MM}", "{yyyy}/{month}/{filename}", "/{filename}", "../{filename}", "{yyyy}/../{filename}"})
  void refusesPatternsThatCannotPlaceAFile(String pattern) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> RemoteLayout.of(pattern, ZURICH))
        .withMessageContaining("autoupload.layout.pattern");
  }
}

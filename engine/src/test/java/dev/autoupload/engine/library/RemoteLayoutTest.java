package dev.autoupload.engine.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.autoupload.engine.upload.NameRules;
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
  void escapesWhatWindowsRefusesInEverySegment() {
    Asset photo = asset("Trip: Zürich?/con/IMG*1 <best>.jpg.", "2022-07-01T12:00:00Z");

    assertThat(RemoteLayout.MIRROR.remotePath(photo, NameRules.WINDOWS))
        .isEqualTo("Trip\uFF1A Zürich\uFF1F/\uFF43on/IMG\uFF0A1 \uFF1Cbest\uFF1E.jpg\uFF0E");
    assertThat(RemoteLayout.MIRROR.remotePath(photo, NameRules.POSIX)).isEqualTo("Trip: Zürich?/con/IMG*1 <best>.jpg.");
    assertThat(RemoteLayout.MIRROR.remotePath(photo)).as("POSIX unless told").isEqualTo("Trip: Zürich?/con/IMG*1 <best>.jpg.");
  }

  @Test
  void shortensNamesThatEscapingMadeTooLong() {
    Asset colons = asset(":".repeat(100) + ".jpeg", "2022-07-01T12:00:00Z");

    String posix = RemoteLayout.MIRROR.remotePath(colons, NameRules.POSIX);
    String windows = RemoteLayout.MIRROR.remotePath(colons, NameRules.WINDOWS);

    assertThat(posix).isEqualTo(":".repeat(100) + ".jpeg");
    assertThat(windows.getBytes(StandardCharsets.UTF_8).length).as("100 fullwidth colons take 300 bytes").isLessThanOrEqualTo(255);
    assertThat(windows).startsWith("\uFF1A".repeat(70)).endsWith(".jpeg").contains("~").doesNotContain(":");
  }

  @Test
  void leavesRoomForTheNamesATargetAddsItself() {
    NameRules nextcloud = NameRules.NEXTCLOUD.reserving(17);
    Asset photo = asset("x".repeat(236) + ".jpg", "2022-07-01T12:00:00Z");

    String remote = RemoteLayout.MIRROR.remotePath(photo, nextcloud);

    assertThat(remote.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(233);
    assertThat(remote).endsWith(".jpg");
    assertThat(RemoteLayout.MIRROR.remotePath(photo, NameRules.POSIX)).isEqualTo("x".repeat(236) + ".jpg");
  }

  @Test
  void keepsBothUnderANameFromTheContentHashNeverACounter() {
    String sha256 = "3F2A9C1B" + "0".repeat(56);

    assertThat(RemoteLayout.keepBothPath("2024/05/IMG_0001.JPG", sha256)).isEqualTo("2024/05/IMG_0001~3f2a9c1b.JPG");
    assertThat(RemoteLayout.keepBothPath("README", sha256)).isEqualTo("README~3f2a9c1b");
    assertThat(RemoteLayout.keepBothPath("a/.hidden", sha256)).isEqualTo("a/.hidden~3f2a9c1b");
    assertThat(RemoteLayout.keepBothPathAgain("2024/05/IMG_0001.JPG", sha256))
        .as("when that name is taken too")
        .isEqualTo("2024/05/IMG_0001~3f2a9c1b00000000.JPG");
  }

  @Test
  void keepsBothWithoutMakingALongNameLonger() {
    String sha256 = "3F2A9C1B" + "0".repeat(56);
    String longName = "x".repeat(246) + ".jpg";

    String kept = RemoteLayout.keepBothPath("2024/05/" + longName, sha256);

    assertThat(kept).startsWith("2024/05/x").endsWith(".jpg").isNotEqualTo("2024/05/" + longName);
    assertThat(kept.substring("2024/05/".length()).getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(250);
    assertThat(RemoteLayout.keepBothPath("2024/05/" + "y".repeat(NameRules.MIN_NAME_BYTES - "~3f2a9c1b.jpg".length()) + ".jpg", sha256))
        .as("a name with room to grow gets the whole suffix")
        .endsWith("y~3f2a9c1b.jpg");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "{yyyy}/{MM}", "{yyyy}/{month}/{filename}", "/{filename}", "../{filename}", "{yyyy}/../{filename}"})
  void refusesPatternsThatCannotPlaceAFile(String pattern) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> RemoteLayout.of(pattern, ZURICH))
        .withMessageContaining("autoupload.layout.pattern");
  }
}

package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LibraryIdsTest {

  @Test
  void isLibPlusTwelveHexDigitsOfSha256OfSourceAndTarget() {
    // printf '/home/ada/Pictures\nfile:///mnt/backup' | sha256sum
    assertThat(LibraryIds.derive(Path.of("/home/ada/Pictures"), "file:///mnt/backup"))
        .isEqualTo("lib-84790c61dda0");
  }

  @Test
  void sameSourceAndTargetGiveTheSameLedgerOnEveryRun() {
    assertThat(LibraryIds.derive(Path.of("/home/ada/Pictures/"), "file:///mnt/backup"))
        .isEqualTo(LibraryIds.derive(Path.of("/home/ada/./Pictures"), "file:///mnt/backup"));
  }

  @Test
  void trailingSlashOfTheTargetDoesNotStartANewLedger() {
    assertThat(LibraryIds.derive(Path.of("/home/ada/Pictures"), "file:///mnt/backup/"))
        .isEqualTo(LibraryIds.derive(Path.of("/home/ada/Pictures"), "file:///mnt/backup"));
  }

  @Test
  void differentPairsInOneDataDirNeverShareALedger() {
    String a = LibraryIds.derive(Path.of("/home/ada/Pictures"), "file:///mnt/backup");
    String b = LibraryIds.derive(Path.of("/home/ada/Pictures"), "file:///mnt/other");
    String c = LibraryIds.derive(Path.of("/home/ada/Videos"), "file:///mnt/backup");

    assertThat(a).isNotEqualTo(b).isNotEqualTo(c);
    assertThat(b).isNotEqualTo(c);
    assertThat(a).matches("lib-[0-9a-f]{12}");
  }
}

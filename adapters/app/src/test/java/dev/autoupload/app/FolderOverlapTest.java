package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderOverlapTest {

  @TempDir Path temp;
  private Path photos;

  @BeforeEach
  void createSource() throws IOException {
    photos = Files.createDirectories(temp.resolve("Photos"));
  }

  @Test
  void theSourceItselfIsNoTarget() {
    assertThat(FolderOverlap.problem(photos, photos))
        .hasValue(
            "the target folder " + photos + " is the source folder " + photos
                + ": nothing would be backed up; choose a target folder outside the source folder");
    assertThat(FolderOverlap.problem(photos, photos.resolve("album/..")))
        .hasValueSatisfying(problem -> assertThat(problem).contains("is the source folder"));
  }

  @Test
  void aTargetInsideTheSourceIsRefusedAlsoWhenItDoesNotExistYet() {
    assertThat(FolderOverlap.problem(photos, photos.resolve("backup/2024")))
        .hasValueSatisfying(problem -> assertThat(problem).contains("is inside the source folder"));
  }

  @Test
  void aSourceInsideTheTargetIsRefused() {
    assertThat(FolderOverlap.problem(photos, temp))
        .hasValueSatisfying(problem -> assertThat(problem).startsWith("the source folder " + photos + " is inside the target folder " + temp));
  }

  @Test
  void linksAreResolvedBeforeComparing() throws IOException {
    Path linkToPhotos = Files.createSymbolicLink(temp.resolve("link"), photos);
    Path linkToTemp = Files.createSymbolicLink(photos.resolve("up"), temp);

    assertThat(FolderOverlap.problem(photos, linkToPhotos)).hasValueSatisfying(p -> assertThat(p).contains("is the source folder"));
    assertThat(FolderOverlap.problem(linkToPhotos, linkToPhotos.resolve("new/backup")))
        .hasValueSatisfying(p -> assertThat(p).contains("is inside the source folder"));
    assertThat(FolderOverlap.problem(photos, linkToTemp.resolve("elsewhere/backup")))
        .as("a link inside the source that leads out of it is a way out, not an overlap")
        .isEmpty();
  }

  @Test
  void foldersSideBySideAreFine() throws IOException {
    Path backup = Files.createDirectories(temp.resolve("Photos backup"));

    assertThat(FolderOverlap.problem(photos, backup)).isEmpty();
    assertThat(FolderOverlap.problem(photos, temp.resolve("Photos2"))).isEmpty();
  }
}

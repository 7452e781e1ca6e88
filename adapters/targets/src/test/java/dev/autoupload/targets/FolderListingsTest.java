package dev.autoupload.targets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FolderListingsTest {

  private final FolderListings listings = new FolderListings();
  private final List<String> asked = new ArrayList<>();

  private FolderListings.Lister<RuntimeException> serverWith(String... names) {
    return folder -> {
      asked.add(folder);
      return Optional.of(Set.of(names));
    };
  }

  @Test
  void aFolderIsListedOnceForAllItsProbes() {
    assertThat(listings.absent("/au/2026/", "a.jpg", serverWith("b.jpg"))).isTrue();
    assertThat(listings.absent("/au/2026/", "b.jpg", serverWith("b.jpg"))).as("listed: asked on its own").isFalse();
    assertThat(listings.absent("/au/2026/", "c.jpg", serverWith("b.jpg"))).isTrue();
    assertThat(listings.absent("/au/2027/", "c.jpg", serverWith())).isTrue();

    assertThat(asked).containsExactly("/au/2026/", "/au/2027/");
  }

  @Test
  void aNameThisTargetWritesIsNeverAbsentByAListingAskedForBefore() {
    assertThat(listings.absent("/au/", "a.jpg", serverWith())).isTrue();

    listings.writing("/au/", "a.jpg");
    assertThat(listings.absent("/au/", "a.jpg", serverWith())).as("while uploading").isFalse();
    listings.written("/au/", "a.jpg");
    assertThat(listings.absent("/au/", "a.jpg", serverWith())).as("published since the listing").isFalse();
    assertThat(listings.absent("/au/", "b.jpg", serverWith())).as("another name").isTrue();
  }

  @Test
  void aListingOfNoUseMeansEveryProbeAsksTheServer() {
    FolderListings.Lister<RuntimeException> refusing =
        folder -> {
          asked.add(folder);
          return Optional.empty();
        };

    assertThat(listings.absent("/au/", "a.jpg", refusing)).isFalse();
    assertThat(listings.absent("/au/", "b.jpg", refusing)).isFalse();
    assertThat(asked).as("not asked again while fresh").hasSize(1);
  }

  @Test
  void aFailedListingIsTheProbesFailureAndIsAskedAgain() {
    FolderListings.Lister<IllegalStateException> failing =
        folder -> {
          asked.add(folder);
          throw new IllegalStateException("503");
        };

    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        listings.absent("/au/", "a.jpg", failing);
      } catch (IllegalStateException expected) {
        // the probe fails as the server did
      }
    }
    assertThat(listings.absent("/au/", "a.jpg", serverWith())).isTrue();
    assertThat(asked).hasSize(3);
  }
}

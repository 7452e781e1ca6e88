package dev.autoupload.engine.internal.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SetFillerTest {

  @Test
  void everyFactReachesItsSetOnceFinished() {
    Set<String> contents = new HashSet<>();
    Set<String> paths = new HashSet<>();
    Set<Long> sizes = new HashSet<>();
    try (SetFiller filler = new SetFiller(contents, paths, sizes)) {
      // Several batches of each kind, and a last one partly full.
      for (int i = 0; i < 50_000; i++) {
        filler.content("c" + i);
        if (i % 3 == 0) {
          filler.path("p" + i);
        }
        filler.size(i % 7000);
      }
      filler.finish();
    }

    assertThat(contents).hasSize(50_000).contains("c0", "c49999");
    assertThat(paths).hasSize(16_667).contains("p0", "p49998");
    assertThat(sizes).hasSize(7000).contains(0L, 6999L);
  }

  /** A set that fails part way: the reader goes on without waiting for ever, and finishing says why. */
  @Test
  void aFailureOfTheFillerComesOutOfFinish() {
    Set<String> failing =
        new HashSet<>() {
          @Override
          public boolean add(String value) {
            if (size() == 5000) {
              throw new IllegalStateException("no room");
            }
            return super.add(value);
          }
        };
    try (SetFiller filler = new SetFiller(failing, new HashSet<>(), new HashSet<>())) {
      for (int i = 0; i < 200_000; i++) {
        filler.content("c" + i);
      }
      assertThatThrownBy(filler::finish)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot load the ledger")
          .hasMessageContaining("no room");
    }
  }
}

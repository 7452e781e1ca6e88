package dev.autoupload.engine.internal.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoupload.engine.internal.upload.FileUpload;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ActivitySlicesTest {

  @Test
  void oneSliceIsTheTagEveryEventHadBeforeSlices() {
    assertThat(ActivitySlices.tags(1)).containsExactly("file-upload");
    assertThat(ActivitySlices.tag(ActivitySlices.sliceOf("FileUpload|lib:a.jpg", 1), 1)).isEqualTo("file-upload");
  }

  @Test
  void severalSlicesAreNumberedFromZero() {
    assertThat(ActivitySlices.tags(4)).containsExactly("file-upload-0", "file-upload-1", "file-upload-2", "file-upload-3");
  }

  @Test
  void uploadsSpreadOverEverySliceAndAnUploadAlwaysFallsInTheSameOne() {
    SplittableRandom random = new SplittableRandom(7);
    Map<Integer, Integer> perSlice = new HashMap<>();
    int negativeHashes = 0;
    for (int i = 0; i < 4000; i++) {
      String id = FileUpload.persistenceId("lib" + random.nextInt(50), "DCIM/IMG_" + random.nextInt(1_000_000) + ".HEIC").id();
      negativeHashes += id.hashCode() < 0 ? 1 : 0;
      int slice = ActivitySlices.sliceOf(id, 5);
      assertThat(slice).isBetween(0, 4);
      assertThat(ActivitySlices.sliceOf(new String(id.toCharArray()), 5)).as("the same id, another string").isEqualTo(slice);
      perSlice.merge(slice, 1, Integer::sum);
    }
    assertThat(negativeHashes).as("ids whose hash is negative, also in range").isPositive();
    assertThat(perSlice).hasSize(5);
    assertThat(perSlice.values()).allSatisfy(count -> assertThat(count).as("%s", perSlice).isBetween(600, 1000));
  }

  @Test
  void aNumberOutOfRangeIsRefusedSayingTheSetting() {
    assertThatThrownBy(() -> ActivitySlices.tags(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("autoupload.activity.slices must be 1 to 64, not 0");
    assertThatThrownBy(() -> ActivitySlices.requireValid(65)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ActivitySlices.tag(3, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("slice 3 is not one of the 3 slices");
  }
}

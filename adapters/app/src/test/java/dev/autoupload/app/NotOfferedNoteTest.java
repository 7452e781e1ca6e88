package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.library.NotOffered;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class NotOfferedNoteTest {

  private static final String SOURCE = "/home/anna/Pictures";

  @Test
  void saysNothingWhenNothingWasPassedOver() {
    assertThat(NotOfferedNote.of(SOURCE, new NotOffered(0, new TreeMap<>()))).isEmpty();
  }

  @Test
  void namesTheExtensionsMostFilesHaveFirst() {
    assertThat(NotOfferedNote.of(SOURCE, new NotOffered(14, new TreeMap<>(Map.of("txt", 1, "aae", 12, "", 1)))))
        .hasValue(
            "autoupload: note: 14 files under /home/anna/Pictures are not a photo or video by extension and were not"
                + " backed up (.aae 12, no extension 1, .txt 1); autoupload.source.folder.extensions lists what is");
  }

  @Test
  void countsTheFilesOfExtensionsBeyondTheFirstFiveTogether() {
    Map<String, Integer> many = new TreeMap<>();
    for (String extension : new String[] {"a", "b", "c", "d", "e", "f", "g"}) {
      many.put(extension, 1);
    }
    assertThat(NotOfferedNote.of(SOURCE, new NotOffered(7, new TreeMap<>(many))))
        .hasValueSatisfying(note -> assertThat(note).contains("(.a 1, .b 1, .c 1, .d 1, .e 1 and 2 files of other extensions)"));
    // A scan counts the files of extensions beyond the first 64 it met in the total alone.
    assertThat(NotOfferedNote.of(SOURCE, new NotOffered(3, new TreeMap<>(Map.of("txt", 2)))))
        .hasValueSatisfying(note -> assertThat(note).contains("(.txt 2 and 1 file of other extensions)"));
  }

  @Test
  void oneFileIsSaidSoAndAHostileNameStaysOnOneLine() {
    assertThat(NotOfferedNote.of("/tmp/a\nb", new NotOffered(1, new TreeMap<>(Map.of("x\u202Ey", 1)))))
        .hasValueSatisfying(
            note -> {
              assertThat(note).startsWith("autoupload: note: 1 file under /tmp/a b is not a photo or video");
              assertThat(note).contains("was not backed up (.x<U+202E>y 1)").doesNotContain("\n", "\u202E");
            });
  }
}

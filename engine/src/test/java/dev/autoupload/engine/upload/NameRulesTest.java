package dev.autoupload.engine.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.text.Normalizer;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NameRulesTest {

  @Test
  void posixReplacesOnlyControlCharactersAndBackslashesAsBefore() {
    assertThat(NameRules.POSIX.escape("a<b>c:d\"e|f?g*h\\i\u0007j\u007fk\u0085. "))
        .isEqualTo("a<b>c:d\"e|f?g*h_i_j_k_. ");
    assertThat(NameRules.POSIX.escape("CON.jpg")).isEqualTo("CON.jpg");
    assertThat(NameRules.POSIX.escape(".htaccess")).isEqualTo(".htaccess");
  }

  @ParameterizedTest
  @CsvSource(
      delimiterString = "->",
      value = {
        "a:b.jpg -> a\uFF1Ab.jpg",
        "a*b.jpg -> a\uFF0Ab.jpg",
        "a?b.jpg -> a\uFF1Fb.jpg",
        "'a\"b.jpg' -> a\uFF02b.jpg",
        "a<b.jpg -> a\uFF1Cb.jpg",
        "a>b.jpg -> a\uFF1Eb.jpg",
        "a|b.jpg -> a\uFF5Cb.jpg",
        "a\\b.jpg -> a\uFF3Cb.jpg",
      })
  void windowsGivesEveryRefusedCharacterItsFullwidthLookalike(String name, String escaped) {
    assertThat(NameRules.WINDOWS.escape(name)).isEqualTo(escaped);
  }

  @Test
  void windowsEscapesOnlyTheLastDotOrSpace() {
    assertThat(NameRules.WINDOWS.escape("photo.")).isEqualTo("photo\uFF0E");
    assertThat(NameRules.WINDOWS.escape("photo ")).isEqualTo("photo\u2420");
    assertThat(NameRules.WINDOWS.escape("photo. ")).isEqualTo("photo.\u2420");
    assertThat(NameRules.WINDOWS.escape("photo ..")).isEqualTo("photo .\uFF0E");
    assertThat(NameRules.WINDOWS.escape(" .hidden and spaced.jpg")).isEqualTo(" .hidden and spaced.jpg");
  }

  @ParameterizedTest
  @CsvSource(
      delimiterString = "->",
      value = {
        "CON -> \uFF23ON",
        "con.jpg -> \uFF43on.jpg",
        "Nul.tar.gz -> \uFF2Eul.tar.gz",
        "PRN.txt -> \uFF30RN.txt",
        "aux -> \uFF41ux",
        "COM1 -> \uFF23OM1",
        "lpt9.jpg -> \uFF4Cpt9.jpg",
        "COM\u00b9.jpg -> \uFF23OM\u00b9.jpg",
        "LPT0 -> \uFF2CPT0",
        "'CON .jpg' -> '\uFF23ON .jpg'",
      })
  void windowsEscapesDeviceNamesAloneOrBeforeAnExtension(String name, String escaped) {
    assertThat(NameRules.WINDOWS.escape(name)).isEqualTo(escaped);
  }

  @ParameterizedTest
  @ValueSource(strings = {"CONSOLE.jpg", "COM10", "LPT", "my CON", ".con", "icon.jpg", "nul-2024.jpg"})
  void windowsLeavesNamesThatOnlyLookLikeDevices(String name) {
    assertThat(NameRules.WINDOWS.escape(name)).isEqualTo(name);
  }

  @ParameterizedTest
  @CsvSource(
      delimiterString = "->",
      value = {
        "a\\b.jpg -> a\uFF3Cb.jpg",
        ".htaccess -> \uFF0Ehtaccess",
        ".HTAccess -> \uFF0EHTAccess",
        "clip.mov.part -> clip.mov\uFF0Epart",
        "clip.PART -> clip\uFF0EPART",
        "notes.filepart -> notes\uFF0Efilepart",
        ".part -> \uFF0Epart",
        "' ' -> \u2420",
        "' . ' -> ' .\u2420'",
        "' ..' -> ' .\uFF0E'",
      })
  void nextcloudEscapesWhatItsFilenameValidatorRefuses(String name, String escaped) {
    assertThat(NameRules.NEXTCLOUD.escape(name)).isEqualTo(escaped);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a:b?*<>|\".jpg", "CON.jpg", "photo.", "photo ", ".htaccess.jpg", "party.jpg", "...", "a.partx"})
  void nextcloudKeepsWhatItStores(String name) {
    assertThat(NameRules.NEXTCLOUD.escape(name)).isEqualTo(name);
  }

  @Test
  void nextcloudOnWindowsCompatibleNamesEscapesBoth() {
    NameRules both = NameRules.NEXTCLOUD.and(NameRules.WINDOWS);

    assertThat(both.escape("con.a:b.part")).isEqualTo("\uFF43on.a\uFF1Ab\uFF0Epart");
    assertThat(both.escape("clip.part.")).isEqualTo("clip.part\uFF0E");
    assertThat(both.maxNameBytes()).isEqualTo(250);
    assertThat(both).isEqualTo(NameRules.WINDOWS.and(NameRules.NEXTCLOUD));
  }

  @Test
  void writesNamesInComposedForm() {
    String decomposed = Normalizer.normalize("Crème brûlée: été.jpg", Normalizer.Form.NFD);

    for (NameRules rules : Set.of(NameRules.POSIX, NameRules.WINDOWS, NameRules.NEXTCLOUD)) {
      String escaped = rules.escape(decomposed);
      assertThat(Normalizer.isNormalized(escaped, Normalizer.Form.NFC)).as("%s", rules).isTrue();
      assertThat(escaped).startsWith("Crème brûlée").endsWith(" été.jpg");
    }
  }

  @Test
  void escapingAnEscapedNameChangesNothing() {
    String hostile = "con<1>:\"a|b?c*d\\e\u0001f.part. ";

    for (NameRules rules : Set.of(NameRules.POSIX, NameRules.WINDOWS, NameRules.NEXTCLOUD, NameRules.NEXTCLOUD.and(NameRules.WINDOWS))) {
      String escaped = rules.escape(hostile);
      assertThat(rules.escape(escaped)).as("%s", rules).isEqualTo(escaped);
    }
  }

  @Test
  void reservesRoomForATargetsOwnNamesButNeverBelowTheMinimum() {
    assertThat(NameRules.NEXTCLOUD.reserving(17).maxNameBytes()).isEqualTo(233);
    assertThat(NameRules.NEXTCLOUD.reserving(17).restrictions()).containsExactly(NameRules.Restriction.NEXTCLOUD);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> NameRules.POSIX.reserving(255 - NameRules.MIN_NAME_BYTES + 1))
        .withMessageContaining(Integer.toString(NameRules.MIN_NAME_BYTES));
  }
}

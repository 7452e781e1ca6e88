package dev.autoupload.engine.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.upload.NameRules;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Every name the layout makes is one the target stores, for names built from what targets refuse. */
class RemoteLayoutProperties {

  private static final String SHA256 = "3f2a9c1b" + "0".repeat(56);

  @Provide
  Arbitrary<String> names() {
    Arbitrary<String> pieces =
        Arbitraries.of(
            "CON", "nul", "Com1", "LPT\u00b9", ".htaccess", ".part", ".FILEPART", "part", ".", "..", " ", ":", "<",
            ">", "\"", "|", "?", "*", "\\", "\u0007", "\u007f", "~", "e\u0301", "\u00e9", "\uD83C\uDF0A", "\uFF0E",
            "\uFF1A", "\u2420", "IMG_0001", ".jpg", "Ferienfotos vom Strand ");
    return pieces.list().ofMinSize(1).ofMaxSize(80).map(list -> String.join("", list));
  }

  @Provide
  Arbitrary<NameRules> rules() {
    return Arbitraries.of(
        NameRules.POSIX,
        NameRules.WINDOWS,
        NameRules.NEXTCLOUD.reserving(17),
        NameRules.NEXTCLOUD.and(NameRules.WINDOWS),
        NameRules.POSIX.reserving(19));
  }

  /** The date folders' digits are the ones the layout wrote with {@code String.format} before. */
  @Property
  void zeroPaddedWritesWhatStringFormatWrites(@ForAll int value, @ForAll("widths") int width) {
    assertThat(RemoteLayout.zeroPadded(value, width))
        .isEqualTo(String.format(Locale.ROOT, "%0" + width + "d", value));
  }

  @Provide
  Arbitrary<Integer> widths() {
    return Arbitraries.of(2, 4);
  }

  @Property
  void everyNameIsEscapedNfcAndShortEnough(@ForAll("names") String name, @ForAll("rules") NameRules rules) {
    String remote = RemoteLayout.MIRROR.remotePath(asset(name), rules);
    Assume.that(!remote.isEmpty());

    assertStorable(remote, rules);
  }

  @Property
  void aKeptBothNameIsAsStorableAsTheOriginal(@ForAll("names") String name, @ForAll("rules") NameRules rules) {
    String remote = RemoteLayout.MIRROR.remotePath(asset(name), rules);
    Assume.that(!remote.isEmpty());

    String kept = RemoteLayout.keepBothPath(remote, SHA256);
    String keptAgain = RemoteLayout.keepBothPathAgain(remote, SHA256);

    assertThat(kept).isNotEqualTo(remote).contains("~");
    assertThat(keptAgain).isNotEqualTo(remote).isNotEqualTo(kept).contains("~");
    assertStorable(kept, rules);
    assertStorable(keptAgain, rules);
  }

  /** Checks each segment against what the targets refuse, as their documentation states it. */
  private static void assertStorable(String remote, NameRules rules) {
    assertThat(Normalizer.isNormalized(remote, Normalizer.Form.NFC)).isTrue();
    for (String segment : remote.split("/", -1)) {
      assertThat(segment).isNotEmpty().isNotIn(".", "..").doesNotContain("\\");
      assertThat(segment.codePoints()).noneMatch(Character::isISOControl);
      assertThat(segment.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(rules.maxNameBytes());
      if (rules.restrictions().contains(NameRules.Restriction.WINDOWS)) {
        assertThat(segment).doesNotContainPattern("[<>:\"|?*]").doesNotEndWith(".").doesNotEndWith(" ");
        assertThat(segment.split("\\.", 2)[0]).doesNotMatch("(?i)(CON|PRN|AUX|NUL|(COM|LPT)[0-9\u00b9\u00b2\u00b3]) *");
      }
      if (rules.restrictions().contains(NameRules.Restriction.NEXTCLOUD)) {
        String lower = segment.toLowerCase(Locale.ROOT);
        assertThat(lower).isNotEqualTo(".htaccess").doesNotEndWith(".part").doesNotEndWith(".filepart");
        assertThat(segment.strip()).isNotIn("", ".", "..");
      }
      assertThat(rules.escape(segment)).as("escaping %s again", segment).isEqualTo(segment);
    }
  }

  private static Asset asset(String path) {
    Instant created = Instant.parse("2024-05-01T10:00:00Z");
    return new Asset("id", "lib", path, 1, created, CreationDateSource.EXIF, created, Optional.empty());
  }
}

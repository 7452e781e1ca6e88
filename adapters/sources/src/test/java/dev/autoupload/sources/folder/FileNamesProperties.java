package dev.autoupload.sources.folder;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** A name shown by {@link FileNames} turns back into exactly its bytes, whatever they are. */
class FileNamesProperties {

  /** Bytes mixing valid UTF-8 (ASCII, accents, emoji, the quote itself) with stray bytes. */
  @Provide
  Arbitrary<byte[]> names() {
    Arbitrary<byte[]> pieces =
        Arbitraries.oneOf(
            Arbitraries.of("IMG_0001", ".jpg", "é", "e\u0301", "\uD83C\uDF0A", "\u201B", "\u201B\u201B", "\u201BFF", "FF", " ")
                .map(text -> text.getBytes(StandardCharsets.UTF_8)),
            Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(4));
    return pieces.list().ofMinSize(1).ofMaxSize(12).map(FileNamesProperties::concat);
  }

  @Property
  void everyByteSurvivesTheRoundTrip(@ForAll("names") byte[] name) {
    assertThat(FileNames.bytes(FileNames.shown(name))).isEqualTo(name);
  }

  @Property
  void theShownNameIsValidUnicodeWithoutReplacementCharacters(@ForAll("names") byte[] name) {
    String shown = FileNames.shown(name);

    assertThat(StandardCharsets.UTF_8.newEncoder().canEncode(shown)).isTrue();
    assertThat(shown).doesNotContain("\uFFFD");
  }

  @Property
  void aValidNameWithoutTheQuoteIsShownAsItIs(@ForAll("names") byte[] name) {
    String decoded = new String(name, StandardCharsets.UTF_8);
    boolean valid = Arrays.equals(decoded.getBytes(StandardCharsets.UTF_8), name);
    if (valid && decoded.indexOf(FileNames.QUOTE) < 0) {
      assertThat(FileNames.shown(name)).isEqualTo(decoded);
    }
  }

  @Example
  void strayBytesBecomeQuotedHexAndTheQuoteIsDoubled() {
    assertThat(FileNames.shown(new byte[] {'a', (byte) 0xFF, '.', 'j', 'p', 'g'})).isEqualTo("a\u201BFF.jpg");
    assertThat(FileNames.shown(new byte[] {'c', 'a', 'f', (byte) 0xE9})).isEqualTo("caf\u201BE9");
    assertThat(FileNames.shown("a\u201BFF".getBytes(StandardCharsets.UTF_8))).isEqualTo("a\u201B\u201BFF");
  }

  private static byte[] concat(List<byte[]> pieces) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    pieces.forEach(out::writeBytes);
    return out.toByteArray();
  }
}

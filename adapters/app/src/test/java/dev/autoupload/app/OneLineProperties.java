package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever a file name holds, its printed form is one line that shows every character it has. */
class OneLineProperties {

  /** Names built from what garbles a line: bidi controls, zero-width and format characters, breaks. */
  @Provide
  Arbitrary<String> names() {
    Arbitrary<String> pieces =
        Arbitraries.oneOf(
            Arbitraries.of(
                "IMG_0001", ".jpg", "gpj.exe", " ", "é", "e\u0301", "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67",
                "\u202E", "\u202D", "\u202A", "\u202B", "\u202C", "\u2066", "\u2067", "\u2068", "\u2069", "\u200E",
                "\u200F", "\u061C", "\u200B", "\uFEFF", "\u00AD", "\u2060", "\uDB40\uDC67", "\u2028", "\u2029",
                "\u0085", "\n", "\r\n", "\t", "\u001B[31m", "\u0007", "\u007F", "\uD800", "\uDC00", "\u0627\u0644"),
            Arbitraries.strings().ofMinLength(1).ofMaxLength(3));
    return pieces.list().ofMinSize(1).ofMaxSize(20).map(list -> String.join("", list));
  }

  @Property
  void nothingInvisibleOrLineBreakingIsLeft(@ForAll("names") String name) {
    String line = OneLine.of(name);

    line.codePoints()
        .forEach(
            c -> {
              int type = Character.getType(c);
              assertThat(type)
                  .as("U+%04X in %s", c, line)
                  .isNotIn(
                      (int) Character.CONTROL,
                      (int) Character.SURROGATE,
                      (int) Character.LINE_SEPARATOR,
                      (int) Character.PARAGRAPH_SEPARATOR);
              if (type == Character.FORMAT) {
                assertThat(c).as("only the joiners stay, in %s", line).isIn(0x200C, 0x200D);
              }
            });
  }

  /** Names of letters, digits, marks, symbols, spaces and joiners only: nothing to hide. */
  @Provide
  Arbitrary<String> plainNames() {
    return Arbitraries.oneOf(names(), Arbitraries.strings().ofMaxLength(30))
        .map(name -> name.codePoints().filter(OneLineProperties::plain)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString());
  }

  @Property
  void aNameWithNothingToHideIsShownAsItIs(@ForAll("plainNames") String name) {
    assertThat(OneLine.of(name)).isEqualTo(name.strip());
  }

  private static boolean plain(int c) {
    int type = Character.getType(c);
    return type != Character.CONTROL
        && type != Character.SURROGATE
        && type != Character.LINE_SEPARATOR
        && type != Character.PARAGRAPH_SEPARATOR
        && (type != Character.FORMAT || c == 0x200C || c == 0x200D);
  }

  @Example
  void aRightToLeftOverrideIsShownNotObeyed() {
    assertThat(OneLine.of("invoice\u202Egpj.exe")).isEqualTo("invoice<U+202E>gpj.exe");
    assertThat(OneLine.of("a\u2066b\u2069\u200Bc\uFEFF")).isEqualTo("a<U+2066>b<U+2069><U+200B>c<U+FEFF>");
    assertThat(OneLine.of("tag\uDB40\uDC67")).isEqualTo("tag<U+E0067>");
  }

  @Example
  void emojiJoinersAndAccentsStay() {
    String family = "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 Café e\u0301.jpg";
    assertThat(OneLine.of(family)).isEqualTo(family);
  }

  @Example
  void breaksJoinAndControlsBecomeQuestionMarks() {
    assertThat(OneLine.of(" a\nb\r\nc\u2028d\te\u001B[31mf ")).isEqualTo("a b c d e?[31mf");
  }
}

package dev.autoupload.targets.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class DavPathTest {

  @Test
  void encodesEverySegmentOnItsOwn() {
    assertThat(DavPath.encode("a b#c%d?e+f/g")).isEqualTo("a%20b%23c%25d%3Fe%2Bf%2Fg");
    assertThat(DavPath.encode("caf\u00e9 \uD83C\uDF89")).isEqualTo("caf%C3%A9%20%F0%9F%8E%89");
    assertThat(DavPath.encode("Az09-._~")).isEqualTo("Az09-._~");
    assertThat(DavPath.join(List.of("a b", "c"))).isEqualTo("/a%20b/c");
    assertThat(DavPath.join(List.of())).isEqualTo("/");
  }

  @Test
  void normalisesToNfcAndRefusesWhatCouldLeaveTheRoot() {
    assertThat(DavPath.segments("cafe\u0301/x")).contains(List.of("caf\u00e9", "x"));
    assertThat(DavPath.segments("..")).isEmpty();
    assertThat(DavPath.segments("a/./b")).isEmpty();
    assertThat(DavPath.segments("a/")).isEmpty();
    assertThat(DavPath.segments("/a")).isEmpty();
    assertThat(DavPath.segments("a\0b")).isEmpty();
    assertThat(DavPath.segments(null)).isEmpty();
  }

  /** Whatever a name holds, the server decodes exactly that name, as one segment. */
  @Property
  void anEncodedSegmentDecodesToItselfAndStaysOneSegment(@ForAll @StringLength(min = 1, max = 30) String name) {
    String encoded = DavPath.encode(name);

    assertThat(encoded).matches("[A-Za-z0-9._~%-]+");
    assertThat(URI.create("http://h/r/" + encoded).getPath()).isEqualTo("/r/" + name);
  }
}

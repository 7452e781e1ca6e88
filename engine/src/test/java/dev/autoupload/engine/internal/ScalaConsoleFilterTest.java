package dev.autoupload.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import org.junit.jupiter.api.Test;

class ScalaConsoleFilterTest {

  @Test
  void dropsOnlyTheStrayStopLineOfPekkoProjections() {
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    ScalaConsoleFilter console = new ScalaConsoleFilter(new PrintStream(stderr, true, Charset.defaultCharset()));

    console.println((Object) "# stop org.apache.pekko.projection.jdbc.internal.JdbcProjectionImpl$JdbcRunningProjection@2f8fa487");
    console.println("[WARN] [pekko] a real warning");
    console.println((Object) "# stop something else");

    assertThat(stderr.toString(Charset.defaultCharset()).lines())
        .containsExactly("[WARN] [pekko] a real warning", "# stop something else");
  }
}

package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class LogSetupTest {

  private final PrintStream realErr = System.err;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @AfterEach
  void restore() {
    System.setErr(realErr);
    System.clearProperty(LogSetup.EXCEPTIONS_PROPERTY);
  }

  @Test
  void theEnginesLinesGoToStderrOneLineEachWithoutTheStackTrace() {
    List<String> lines =
        logged(
            context -> {
              Logger engine = context.getLogger("dev.autoupload.engine.UploadEngine");
              engine.info("uploaded {}", "evil\nWARN forged line\u202Egpj.exe");
              engine.warn("target failed", new IllegalStateException("disk full"));
              engine.debug("not shown");
            });

    assertThat(lines).hasSize(2);
    assertThat(lines.get(0))
        .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  dev\\.autoupload\\.engine\\.UploadEngine - uploaded .*")
        .endsWith("uploaded evil WARN forged line<U+202E>gpj.exe");
    assertThat(lines.get(1)).endsWith("WARN  dev.autoupload.engine.UploadEngine - target failed");
  }

  @Test
  void withDebugTheStackTraceFollows() {
    System.setProperty(LogSetup.EXCEPTIONS_PROPERTY, "%ex");

    List<String> lines =
        logged(context -> context.getLogger("dev.autoupload.app.Main").warn("failed", new IllegalStateException("disk full")));

    assertThat(lines.get(0)).endsWith("WARN  dev.autoupload.app.Main - failed");
    assertThat(lines.get(1)).isEqualTo("java.lang.IllegalStateException: disk full");
    assertThat(lines.get(2)).startsWith("\tat dev.autoupload.app.LogSetupTest");
  }

  @Test
  void theLibrariesUnderTheEngineSayOnlyWarningsAndTheSilencedNothing() {
    List<String> lines =
        logged(
            context -> {
              context.getLogger("org.h2.jdbc").info("h2 info");
              context.getLogger("org.h2.jdbc").warn("h2 warning");
              context.getLogger("org.apache.pekko.actor.ActorSystem").info("pekko info");
              context.getLogger("org.apache.pekko.io.TcpListener").error("bind failed");
              context.getLogger("org.apache.pekko.stream.scaladsl.RestartWithBackoffSource").warn("restarting");
              context.getLogger("some.other.Library").info("other info");
              context.getLogger("some.other.Library").warn("other warning");
            });

    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).endsWith(" - h2 warning");
    assertThat(lines.get(1)).endsWith(" - other warning");
  }

  private List<String> logged(java.util.function.Consumer<LoggerContext> logging) {
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    LoggerContext context = new LoggerContext();
    // As SLF4J's logback provider sets up its context.
    context.setMDCAdapter(new LogbackMDCAdapter());
    try {
      LogSetup.logToStderr(context);
      logging.accept(context);
    } finally {
      context.stop();
      System.setErr(realErr);
    }
    return err.toString(StandardCharsets.UTF_8).lines().toList();
  }
}

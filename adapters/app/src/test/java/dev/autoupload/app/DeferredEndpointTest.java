package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The start of a {@code run --once}'s endpoint after a delay, and what it says when it cannot. */
class DeferredEndpointTest {

  private static final long WAIT_SECONDS = 30;

  @Test
  void anEndpointThatCannotStartIsAWarningNotAnEnd() throws Exception {
    List<String> announced = new CopyOnWriteArrayList<>();
    CompletableFuture<String> warned = new CompletableFuture<>();

    try (DeferredEndpoint endpoint =
        DeferredEndpoint.after(
            Duration.ofMillis(1),
            () -> {
              throw new IllegalStateException("cannot listen on 127.0.0.1:8686: address already in use");
            },
            announced::add,
            warned::complete)) {

      assertThat(warned.get(WAIT_SECONDS, TimeUnit.SECONDS))
          .isEqualTo(
              "autoupload: warning: the control endpoint did not start: cannot listen on 127.0.0.1:8686: address"
                  + " already in use; the backup goes on without it");
    }
    assertThat(announced).isEmpty();
  }

  @Test
  void aStartDueAfterTheCloseStartsNothing() {
    AtomicInteger starts = new AtomicInteger();
    List<String> lines = new CopyOnWriteArrayList<>();
    DeferredEndpoint endpoint =
        DeferredEndpoint.after(
            Duration.ofHours(1),
            () -> {
              starts.incrementAndGet();
              throw new IllegalStateException("must not be asked");
            },
            lines::add,
            lines::add);

    endpoint.close();
    // The timer's task, come due after all (the run ended as its delay ran out).
    endpoint.startNow();

    assertThat(starts).hasValue(0);
    assertThat(lines).isEmpty();
  }
}

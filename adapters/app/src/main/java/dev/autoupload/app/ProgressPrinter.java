package dev.autoupload.app;

import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.Verdict;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.watchdog.LibraryWatch;
import dev.autoupload.engine.watchdog.Stall;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Shows a run's progress on stdout.
 *
 * <p>On a terminal: one live line redrawn in place (files, bytes, rate, ETA), with failures
 * printed on their own lines above it. Otherwise: one line per event, one per file a library's
 * rules hold back (when it starts to wait, or for other reasons), plus a {@code progress} line at
 * most every 10 s, for logs and scripts.
 *
 * <p>What a library's scans passed over ({@link NotOfferedNote}) goes to stderr when {@link
 * #withNotes} asks for it, each time it says something new.
 *
 * <p>Engine listeners must not block, so {@link #onEvent} only queues; everything is printed from
 * the single thread that calls {@link #update} and {@link #finish}.
 */
final class ProgressPrinter {

  enum Mode {
    TERMINAL,
    LINES
  }

  private static final long LINE_PROGRESS_EVERY_NANOS = Duration.ofSeconds(10).toNanos();
  private static final long RATE_WINDOW_NANOS = Duration.ofSeconds(10).toNanos();
  private static final String ERASE_TO_END_OF_LINE = "\033[K";

  private final PrintWriter out;
  private final Mode mode;
  private final boolean namesLibraries;
  private final Queue<EngineEvent> events = new ConcurrentLinkedQueue<>();
  private final Deque<Sample> window = new ArrayDeque<>();
  private String lastProgress = "";
  private long lastProgressAt;
  private boolean progressClockStarted;
  private boolean progressShown;
  /** Each file a library's rules hold back, as last told, with its reasons. */
  private Map<String, Set<BlockerReason>> heldTold = Map.of();
  /** Where notes go; none unless {@link #withNotes} asked for them. */
  private Optional<PrintWriter> notesOut = Optional.empty();
  /** Each library's note as last told. */
  private Map<String, String> notesTold = Map.of();

  private record Sample(long nanos, long bytesSent) {}

  ProgressPrinter(PrintWriter out, Mode mode) {
    this(out, mode, false);
  }

  /**
   * @param namesLibraries each line about a file starts with its library's id ({@code alice:
   *     uploaded …}), for {@code serve}, where several libraries share the output
   */
  ProgressPrinter(PrintWriter out, Mode mode, boolean namesLibraries) {
    this.out = out;
    this.mode = mode;
    this.namesLibraries = namesLibraries;
  }

  /**
   * Prints on {@code err} what each library's last whole scan passed over ({@link
   * NotOfferedNote}), whenever it differs from what was told last, as the status shows it at each
   * {@link #update} and at {@link #finish(EngineStatus)}: a watching run says so once its scan has
   * passed them over, not only when it stops.
   *
   * @param err where the notes go
   * @return this printer
   */
  ProgressPrinter withNotes(PrintWriter err) {
    this.notesOut = Optional.of(err);
    return this;
  }

  /** Called on an engine thread: queues the event and returns at once. */
  void onEvent(EngineEvent event) {
    // Byte progress shows in the progress line, not as lines of its own; nor does a start.
    if (!(event instanceof EngineEvent.AssetProgress || event instanceof EngineEvent.AssetStarted)) {
      events.add(event);
    }
  }

  /**
   * Prints a line of the app's own (the control endpoint's address) at once, off the terminal's
   * live line. Called on any thread: the printing methods take turns.
   */
  synchronized void announce(String line) {
    clearProgressLine();
    out.println(line);
    out.flush();
  }

  /** Prints queued events and the progress the status shows, as of {@code nowNanos}. */
  synchronized void update(EngineStatus status, long nowNanos) {
    printEvents();
    printNotes(status);
    window.addLast(new Sample(nowNanos, status.bytesSent()));
    while (window.size() > 2 && nowNanos - window.peekFirst().nanos() > RATE_WINDOW_NANOS) {
      window.removeFirst();
    }
    if (mode == Mode.TERMINAL) {
      out.print("\r" + terminalLine(status) + ERASE_TO_END_OF_LINE);
      progressShown = true;
    } else {
      printHeld(status);
      // The first line is due one interval in: a short run needs none, its events say it all.
      if (!progressClockStarted) {
        lastProgressAt = nowNanos;
        progressClockStarted = true;
      }
      String progress = progressLine(status);
      if (nowNanos - lastProgressAt >= LINE_PROGRESS_EVERY_NANOS && !progress.equals(lastProgress)) {
        out.println(progress);
        lastProgress = progress;
        lastProgressAt = nowNanos;
      }
    }
    out.flush();
  }

  /** A line for each file a library's rules newly hold back, or hold back for other reasons. */
  private void printHeld(EngineStatus status) {
    Map<String, Set<BlockerReason>> held = new LinkedHashMap<>();
    for (LibraryStatus library : status.libraries()) {
      library.held().forEach(file -> held.put(file.path(), file.reasons()));
    }
    held.forEach(
        (path, reasons) -> {
          if (!reasons.equals(heldTold.get(path))) {
            out.println(heldLine(path, reasons));
          }
        });
    heldTold = held;
  }

  /** {@code held clip.mp4: VIDEOS_WAIT_FOR_WIFI (Waiting for Wi-Fi — …)}. */
  static String heldLine(String path, Set<BlockerReason> reasons) {
    return "held " + OneLine.of(path) + ": "
        + reasons.stream()
            .sorted()
            .map(reason -> reason.name() + " (" + reason.description() + ")")
            .collect(Collectors.joining(", "));
  }

  /** As {@link #finish()}, with the notes the run's {@code last} status holds. */
  synchronized void finish(EngineStatus last) {
    printEvents();
    printNotes(last);
    finish();
  }

  /** Prints what is still queued and leaves the cursor on a fresh line for the summary. */
  synchronized void finish() {
    printEvents();
    if (progressShown) {
      out.println();
      progressShown = false;
    }
    out.flush();
  }

  private void printNotes(EngineStatus status) {
    if (notesOut.isEmpty()) {
      return;
    }
    Map<String, String> notes = new LinkedHashMap<>();
    for (LibraryStatus library : status.libraries()) {
      NotOfferedNote.of(library.source(), library.notOffered()).ifPresent(note -> notes.put(library.libraryId(), note));
    }
    PrintWriter err = notesOut.get();
    notes.forEach(
        (libraryId, note) -> {
          if (!note.equals(notesTold.get(libraryId))) {
            clearProgressLine();
            out.flush();
            err.println(note);
          }
        });
    err.flush();
    notesTold = notes;
  }

  /** Takes the terminal's live line away, so that a line printed next starts on a clean one. */
  private void clearProgressLine() {
    if (progressShown) {
      out.print("\r" + ERASE_TO_END_OF_LINE);
      progressShown = false;
    }
  }

  private void printEvents() {
    EngineEvent event;
    while ((event = events.poll()) != null) {
      Optional<String> line = mode == Mode.TERMINAL ? terminalEventLine(event) : Optional.of(eventLine(event));
      if (namesLibraries && event instanceof EngineEvent.LibraryEvent about) {
        line = line.map(text -> OneLine.of(about.libraryId()) + ": " + text);
      }
      line.ifPresent(
          text -> {
            clearProgressLine();
            out.println(text);
          });
    }
  }

  /** The line-mode rendering of an event, one line, stable for scripts. */
  static String eventLine(EngineEvent event) {
    if (event instanceof EngineEvent.VerdictChanged changed) {
      return changed.libraryId().map(id -> OneLine.of(id) + ": ").orElse("") + verdictLine(changed.verdict());
    }
    if (event instanceof EngineEvent.Stalled stalled) {
      return stalledLine(stalled);
    }
    if (event instanceof EngineEvent.Recovered recovered) {
      return "recovered " + OneLine.of(recovered.ended().libraryId()) + ": "
          + (recovered.how() == LibraryWatch.Recovery.BACKED_UP ? "a file was backed up again" : "nothing waits any more");
    }
    String path = OneLine.of(((EngineEvent.LibraryEvent) event).path());
    if (event instanceof EngineEvent.AssetUploaded uploaded) {
      // Where it went: the layout files it by date, so its remote path is often not its name.
      String where = uploaded.remotePath().map(remote -> " -> " + OneLine.of(remote)).orElse("");
      return uploaded.alreadyOnTarget()
          ? "already-on-target " + path + where
          : "uploaded " + path + where + " " + uploaded.bytes();
    }
    if (event instanceof EngineEvent.AssetResumed resumed) {
      return "resumed " + path + " at " + resumed.offset() + "/" + resumed.size();
    }
    if (event instanceof EngineEvent.AssetFailed failed) {
      String message = OneLine.of(failed.error().message());
      return failed.willRetry()
          ? "retrying " + path + failed.retryIn().map(wait -> " in " + humanDuration(wait)).orElse("")
              + " (attempt " + (failed.attempts() + 1) + "): " + message
          : "failed " + path + ": " + message;
    }
    if (event instanceof EngineEvent.AssetSkipped skipped) {
      return "skipped " + path + ": " + OneLine.of(skipped.reason());
    }
    if (event instanceof EngineEvent.ScanFailed scanFailed) {
      return "scan-failed " + path + ": " + OneLine.of(scanFailed.message());
    }
    throw new IllegalArgumentException("unknown event " + event);
  }

  /** {@code stalled camera: nothing backed up for 6h 0m, 40 file(s) waiting: TARGET_UNREACHABLE; …}. */
  static String stalledLine(EngineEvent.Stalled stalled) {
    Stall stall = stalled.stall();
    long seconds = stalled.lasting().toSeconds();
    String what =
        stall.kind() == Stall.Kind.TOO_OLD
            ? "the last backup was " + StatusCommand.duration(seconds) + " ago"
            : "nothing backed up for " + StatusCommand.duration(seconds);
    List<String> why = new ArrayList<>();
    stall.reasons().stream().sorted().map(Enum::name).forEach(why::add);
    why.addAll(stall.causes());
    return OneLine.of(
        "stalled " + stall.libraryId() + ": " + what + ", " + stall.waiting() + " file(s) waiting"
            + (why.isEmpty() ? "" : ": " + String.join("; ", why)));
  }

  /** {@code waiting: LOW_POWER_MODE (Waiting — Low Power Mode is on), …}, or {@code uploading}. */
  static String verdictLine(Verdict verdict) {
    if (verdict.reasons().isEmpty()) {
      return "uploading";
    }
    String reasons =
        verdict.reasons().stream()
            .sorted()
            .map(reason -> reason.name() + " (" + reason.description() + ")")
            .collect(Collectors.joining(", "));
    return (verdict.allowed() ? "slowed: " : "waiting: ") + reasons;
  }

  /** On a terminal only what needs the user's attention gets a line of its own. */
  private static Optional<String> terminalEventLine(EngineEvent event) {
    boolean worthALine =
        event instanceof EngineEvent.Stalled
            || event instanceof EngineEvent.Recovered
            || event instanceof EngineEvent.ScanFailed
            || event instanceof EngineEvent.AssetSkipped
            || (event instanceof EngineEvent.AssetFailed failed && !failed.willRetry());
    return worthALine ? Optional.of(eventLine(event)) : Optional.empty();
  }

  static String progressLine(EngineStatus status) {
    return "progress files=" + status.backedUp() + "/" + status.discovered()
        + " bytes=" + status.bytesDone() + "/" + status.bytesToUpload();
  }

  private String terminalLine(EngineStatus status) {
    StringBuilder line = new StringBuilder();
    if (status.libraries().stream().anyMatch(LibraryStatus::scanning)) {
      line.append("scanning  ");
    }
    line.append("files ").append(status.backedUp()).append('/').append(status.discovered());
    line.append("  ").append(humanBytes(status.bytesDone())).append('/').append(humanBytes(status.bytesToUpload()));
    Optional<Double> rate = rate();
    line.append("  ").append(rate.map(r -> humanBytes(Math.round(r)) + "/s").orElse("-- B/s"));
    long remaining = Math.max(0, status.bytesToUpload() - status.bytesDone());
    if (remaining > 0) {
      line.append("  ETA ")
          .append(rate.filter(r -> r > 0).map(r -> humanDuration(Duration.ofSeconds(Math.round(remaining / r)))).orElse("--"));
    }
    if (status.failed() > 0) {
      line.append("  ").append(status.failed()).append(" failed");
    }
    String waiting =
        Stream.concat(
                status.reasons().stream(), status.libraries().stream().flatMap(l -> l.reasons().stream()))
            .distinct()
            .sorted()
            .map(BlockerReason::description)
            .collect(Collectors.joining("; "));
    if (!waiting.isEmpty()) {
      line.append("  ").append(waiting);
    }
    return line.toString();
  }

  /** Bytes per second over the sliding window, once it spans at least one second. */
  private Optional<Double> rate() {
    if (window.size() < 2) {
      return Optional.empty();
    }
    Sample first = window.peekFirst();
    Sample last = window.peekLast();
    long nanos = last.nanos() - first.nanos();
    if (nanos < Duration.ofSeconds(1).toNanos()) {
      return Optional.empty();
    }
    return Optional.of((last.bytesSent() - first.bytesSent()) * 1e9 / nanos);
  }

  static String humanBytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  static String humanDuration(Duration duration) {
    long seconds = duration.toSeconds();
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
  }
}

package dev.autoupload.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code autoupload status}: what the running instance is doing, in words. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Shows what the autoupload instance running on the data dir is doing: whether it backs up "
          + "or why it waits, its counts, the files in flight and the failures. It asks the "
          + "instance's control endpoint, with the token from the data dir."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the status is shown",
      "1:the instance failed to answer properly",
      "2:bad command line or configuration",
      "3:no instance is running on the data dir, or it cannot be reached"
    })
final class StatusCommand extends InstanceCommand {

  private static final Map<String, String> STATE_WORDS =
      Map.of("running", "backing up", "waiting", "waiting", "paused", "paused", "idle", "up to date");

  @Mixin InstanceOptions instance;

  /** How long until the instant {@code at} names, in the progress line's words; empty when none. */
  private static Optional<String> in(JsonNode at) {
    if (!at.isTextual()) {
      return Optional.empty();
    }
    Duration left = Duration.between(Instant.now(), Instant.parse(at.asText()));
    return Optional.of(ProgressPrinter.humanDuration(left.isNegative() ? Duration.ZERO : left.plusMillis(999)));
  }

  /**
   * The files line of {@code status} ({@code GET /api/status}): the count the Activity page shows
   * too, every file found in one place, paused ones waiting; then what was found and never offered.
   */
  static String filesLine(JsonNode status) {
    JsonNode run = status.path("run");
    JsonNode files = status.path("files");
    return "files: " + files.path("backedUp").asLong() + " of " + files.path("found").asLong() + " backed up, "
        + files.path("uploading").asLong() + " uploading, " + files.path("waiting").asLong() + " waiting, "
        + files.path("failed").asLong() + " failed, " + files.path("skipped").asLong() + " skipped (this run)"
        + (run.path("leftOutByOnlySince").asLong() > 0
            ? "; " + run.path("leftOutByOnlySince").asLong() + " left out by only-since"
            : "")
        + (run.path("notOffered").asLong() > 0
            ? "; " + run.path("notOffered").asLong() + " not offered (not a photo or video by extension)"
            : "");
  }

  private static Set<String> codes(JsonNode reasons) {
    Set<String> codes = new HashSet<>();
    reasons.forEach(reason -> codes.add(reason.path("code").asText()));
    return codes;
  }

  @Override
  void run(PrintWriter out) {
    ControlClient client = ControlClient.of(instance.dataDir());
    JsonNode status = client.get("api/status");
    String state = status.path("state").asText();
    out.println("autoupload at " + client.base() + ": " + STATE_WORDS.getOrDefault(state, state));
    for (JsonNode reason : status.path("reasons")) {
      out.println("  " + OneLine.of(reason.path("text").asText()));
    }
    JsonNode run = status.path("run");
    out.println(filesLine(status));
    long rate = status.path("bytesPerSecond").asLong();
    out.println(
        "bytes: " + ProgressPrinter.humanBytes(run.path("bytesDone").asLong()) + " of "
            + ProgressPrinter.humanBytes(run.path("bytesToUpload").asLong())
            + (rate > 0 ? ", " + ProgressPrinter.humanBytes(rate) + "/s" : ""));
    clusterLines(status.path("libraries")).forEach(out::println);
    for (JsonNode library : status.path("libraries")) {
      JsonNode stalled = library.path("stalled");
      if (stalled.isObject()) {
        out.println(stalledLine(stalled));
      }
      JsonNode down = library.path("down");
      if (down.isObject()) {
        int failures = down.path("failures").asInt();
        out.println(
            "library " + OneLine.of(library.path("id").asText()) + ": DOWN: " + OneLine.of(down.path("reason").asText())
                + " (failed " + (failures == 1 ? "once" : failures + " times") + "; "
                + (down.path("restarting").asBoolean() ? "restarting" : "stays down until the next start") + ")");
      }
      if (library.path("targetError").isTextual()) {
        boolean away = codes(library.path("reasons")).contains("TARGET_UNREACHABLE");
        out.println(
            (away ? "waiting for " : "stopped: ") + OneLine.of(library.path("target").asText()) + ": "
                + OneLine.of(library.path("targetError").asText())
                + in(library.path("targetRetryAt")).map(wait -> " (trying again in " + wait + ")").orElse(""));
      }
      for (JsonNode retry : library.path("retries")) {
        out.println(
            "retrying: " + OneLine.of(retry.path("path").asText())
                + in(retry.path("at")).map(wait -> " in " + wait).orElse("")
                + " (attempt " + (retry.path("attempts").asInt() + 1) + "): " + OneLine.of(retry.path("error").asText()));
      }
      for (JsonNode held : library.path("held")) {
        StringBuilder why = new StringBuilder();
        held.path("reasons").forEach(reason -> why.append(why.length() == 0 ? "" : "; ").append(reason.path("text").asText()));
        out.println(
            "waiting: " + OneLine.of(held.path("path").asText()) + ": " + OneLine.of(why.toString())
                + in(held.path("until")).map(wait -> " (goes in " + wait + ")").orElse(""));
      }
      for (JsonNode note : library.path("notes")) {
        out.println("note: " + OneLine.of(library.path("target").asText()) + ": " + OneLine.of(note.asText()));
      }
      for (JsonNode upload : library.path("inFlight")) {
        out.println(
            "uploading: " + OneLine.of(upload.path("path").asText()) + " " + upload.path("percent").asInt() + "% ("
                + ProgressPrinter.humanBytes(upload.path("offset").asLong()) + " of "
                + ProgressPrinter.humanBytes(upload.path("size").asLong()) + ")");
      }
      for (JsonNode failure : library.path("failures")) {
        out.println(
            "failed: " + OneLine.of(failure.path("path").asText()) + ": "
                + OneLine.of(failure.path("error").asText()));
      }
    }
    JsonNode counts = status.path("counts");
    out.println(
        "all runs: " + counts.path("completed").asLong() + " uploaded, " + counts.path("uploading").asLong()
            + " uploading, " + counts.path("paused").asLong() + " paused, " + counts.path("failed").asLong()
            + " failed, " + counts.path("skipped").asLong() + " skipped");
  }

  /**
   * On a cluster node, where the libraries run ("nodes: 10.0.0.5:2551 runs 2 libraries, …") and a
   * line for each library whose status no node gave ("library bob: status unknown: …"); nothing
   * for a single process, whose libraries name no node.
   */
  static List<String> clusterLines(JsonNode libraries) {
    Map<String, Integer> perNode = new TreeMap<>();
    List<String> lines = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (JsonNode library : libraries) {
      if (library.path("node").isTextual()) {
        perNode.merge(library.path("node").asText(), 1, Integer::sum);
      }
      if (library.path("unknown").isTextual()) {
        unknown.add(
            "library " + OneLine.of(library.path("id").asText()) + ": status unknown: "
                + OneLine.of(library.path("unknown").asText()));
      }
    }
    if (!perNode.isEmpty()) {
      lines.add(
          "nodes: "
              + perNode.entrySet().stream()
                  .map(node -> OneLine.of(node.getKey()) + " runs " + node.getValue() + (node.getValue() == 1 ? " library" : " libraries"))
                  .collect(Collectors.joining(", ")));
    }
    lines.addAll(unknown);
    return lines;
  }

  /** "STALLED: library camera: nothing backed up for 7h 12m, 40 file(s) waiting: …". */
  static String stalledLine(JsonNode stalled) {
    long seconds = stalled.path("forSeconds").asLong();
    String what =
        stalled.path("kind").asText().equals("too-old")
            ? "the last backup was " + duration(seconds) + " ago"
            : "nothing backed up for " + duration(seconds);
    StringBuilder why = new StringBuilder();
    for (JsonNode reason : stalled.path("reasons")) {
      why.append(why.length() == 0 ? ": " : "; ").append(reason.path("text").asText());
    }
    for (JsonNode cause : stalled.path("causes")) {
      why.append(why.length() == 0 ? ": " : "; ").append(cause.asText());
    }
    return OneLine.of(
        "STALLED: library " + stalled.path("library").asText() + ": " + what + ", "
            + stalled.path("waiting").asLong() + " file(s) waiting" + why);
  }

  static String duration(long seconds) {
    long days = seconds / 86_400;
    long hours = seconds % 86_400 / 3_600;
    long minutes = seconds % 3_600 / 60;
    if (days > 0) {
      return days + "d " + hours + "h";
    }
    if (hours > 0) {
      return hours + "h " + minutes + "m";
    }
    return minutes > 0 ? minutes + "m " + seconds % 60 + "s" : seconds + "s";
  }
}

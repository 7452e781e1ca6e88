package dev.autoupload.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code autoupload activity}: the latest uploads of the running instance. */
@Command(
    name = "activity",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the latest uploads of the autoupload instance running on the data dir, newest first: "
          + "by upload time (a photo taken years ago and uploaded today comes first), or by the "
          + "date the photo was taken. Times are local."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the list is shown",
      "1:the instance failed to answer properly",
      "2:bad command line, e.g. --limit out of range",
      "3:no instance is running on the data dir, or it cannot be reached"
    })
final class ActivityCommand extends InstanceCommand {

  private static final DateTimeFormatter UPLOADED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
  private static final DateTimeFormatter TAKEN = DateTimeFormatter.ofPattern("yyyy-MM-dd");

  @Mixin InstanceOptions instance;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "20",
      description = "How many uploads, 1-500 (default 20).")
  int limit;

  @Option(
      names = "--order",
      paramLabel = "ORDER",
      defaultValue = "uploaded",
      description = "uploaded (default): by upload time; created: by the date the photo was taken.")
  String order;

  @Option(
      names = "--before",
      paramLabel = "CURSOR",
      description = "Continue after a previous page (its 'next page' line).")
  String before;

  @Override
  void run(PrintWriter out) {
    if (!order.equals("uploaded") && !order.equals("created")) {
      throw new RunFailure(Main.USAGE, "--order must be uploaded or created, got '" + order + "'");
    }
    ControlClient client = ControlClient.of(instance.dataDir());
    String query =
        "api/activity?limit=" + limit + "&order=" + order
            + (before == null ? "" : "&before=" + URLEncoder.encode(before, StandardCharsets.UTF_8));
    JsonNode page = client.get(query);
    JsonNode items = page.path("items");
    if (items.isEmpty()) {
      out.println(before == null ? "no uploads yet" : "no more uploads");
      return;
    }
    ZoneId zone = ZoneId.systemDefault();
    out.println(String.format("%-16s  %-10s  %10s  %s", "UPLOADED", "TAKEN", "SIZE", "PATH"));
    for (JsonNode item : items) {
      out.println(
          String.format(
              "%-16s  %-10s  %10s  %s",
              time(item.path("uploadedAt").asText(), UPLOADED.withZone(zone)),
              time(item.path("createdAt").asText(), TAKEN.withZone(zone)),
              ProgressPrinter.humanBytes(item.path("bytes").asLong()),
              OneLine.of(item.path("path").asText())));
    }
    JsonNode next = page.path("next");
    if (next.isTextual()) {
      out.println(
          "next page: autoupload activity --limit " + limit + " --order " + order + " --before " + next.asText());
    }
  }

  private static String time(String iso, DateTimeFormatter format) {
    try {
      return format.format(Instant.parse(iso));
    } catch (DateTimeParseException e) {
      return "-";
    }
  }
}

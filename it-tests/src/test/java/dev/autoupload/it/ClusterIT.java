package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static dev.autoupload.it.MediaFiles.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * {@code autoupload serve} on a cluster: three nodes of the packaged app on loopback share a private
 * PostgreSQL journal and one config file of libraries, which sharding spreads over them.
 *
 * <p>At the size (thirty libraries, a 1 GiB file), the node in the middle of the big file is
 * killed with SIGKILL: the others down it (split brain resolver, keep majority), its libraries start
 * on them, recover from the journal and resume from at most one checkpoint interval back; then
 * every node in turn is stopped with SIGTERM and started again, handing its libraries over. Every
 * file of every library ends up on its target once, sha256-equal to its source, with no part file
 * left, and the Activity lists every file once, completed.
 *
 * <p>The Activity projection runs in four slices, each on one node at a time (a sharded daemon
 * process of four instances, spread over the nodes): a second test kills a node running slices
 * while events stream, the survivors take them over from their stored offsets and both list every
 * file once; then a survivor running slices is stopped with SIGTERM and hands them and its
 * libraries over to the last node, which sends nothing again. A third test has any node show,
 * pause and resume a library that runs on another.
 */
class ClusterIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final Pattern RESUMED = Pattern.compile("big: resumed Videos/big\\.mov at (\\d+)/\\d+");
  private static final Pattern ENDPOINT = Pattern.compile("autoupload: control endpoint (http://\\S+/) \\(token in (.+)\\)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  /** From the kill to the big library running on a survivor: failure detection, stable-after, recovery. */
  private static final Duration MOVE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration COMPLETE_TIMEOUT = Duration.ofSeconds(120);
  /** From every file on its target to every one completed in the Activity of a surviving node. */
  private static final Duration ACTIVITY_TIMEOUT = Duration.ofSeconds(20);
  /** The cluster's default number of Activity slices ({@code autoupload.cluster.activity-slices}). */
  private static final int SLICES = 4;
  private static final Pattern SLICE_LINE =
      Pattern.compile("autoupload: Activity slice (\\d+) of " + SLICES + " (runs|stopped) on this node");
  private static final String BIG = "big";

  /** A journal of its own per test: no library or remembered entity of one test in the other. */
  private PostgresServer postgres;
  /** The cluster ports of the three nodes {@link #startCluster} started, for restarting one. */
  private List<Integer> clusterPorts;

  @RegisterExtension final AppProcesses apps = new AppProcesses();

  @TempDir Path tmp;

  @BeforeEach
  void startPostgres() throws Exception {
    postgres = PostgresServer.start();
  }

  @AfterEach
  void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  /**
   * The proof at its size: thirty libraries, one with a 1 GiB file. The node in the middle
   * of that file is killed with SIGKILL and started again; then every node in turn, starting with
   * the one that has the big file by then, is stopped with SIGTERM and started again (a rolling
   * restart). Each time the big file goes on from at most one checkpoint interval before where its
   * node left it, every library's files end on its target once, sha256-equal, and the Activity
   * lists every file once, completed.
   */
  @Test
  void thirtyLibrariesWithAGigabyteFileSurviveAKillAndARollingRestartOfEveryNode() throws Exception {
    SplittableRandom random = new SplittableRandom(1414);
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 29; i++) {
      String id = String.format("roll%02d", i);
      ids.add(id);
      MediaFiles.randomTree(source(id), 2 + i % 5, 4 * KIB, i % 4 == 0 ? MIB : 64 * KIB, random);
    }
    ids.add(BIG);
    MediaFiles.randomTree(source(BIG), 3, 8 * KIB, 64 * KIB, random);
    long bigBytes = 1024L * MIB;
    MediaFiles.write(source(BIG).resolve("Videos/big.mov"), bigBytes, random);
    Path part = target(BIG).resolve("Videos/.big.mov.autoupload-part");

    // 16 MiB/s a node: the big file takes a minute, through the kill and the three restarts.
    // One library comes through the API of a node instead of the config file: it lives through
    // the kill and the rolling restart like the others (the nodes keep it in their database).
    String viaApi = "roll29";
    List<AppProcess> nodes = new ArrayList<>(startCluster(ids.stream().filter(id -> !id.equals(viaApi)).toList(), "16MiB"));
    HttpResponse<String> added = Api.of(nodes.get(0)).send("POST", "api/libraries", apiDefinition(viaApi));
    assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
    await()
        .atMost(START_TIMEOUT)
        .untilAsserted(
            () -> {
              Map<String, List<Integer>> placed = runningOn(nodes);
              String outputs = nodes.stream().map(AppProcess::describe).collect(Collectors.joining("\n"));
              assertThat(placed.keySet()).as(outputs).containsExactlyInAnyOrderElementsOf(ids);
              // Every library runs once, on one node, and the three nodes each get some.
              assertThat(placed.values()).as(outputs).allSatisfy(where -> assertThat(where).hasSize(1));
              assertThat(placed.values().stream().map(where -> where.get(0)).distinct()).as(outputs).hasSize(3);
            });
    await().atMost(START_TIMEOUT).until(() -> MediaFiles.sizeOrMinusOne(part) >= 32 * MIB);

    // The kill: the big file's node, mid-file.
    int victim = runningOn(nodes).get(BIG).get(0);
    List<String> moving = nodeLibraries(nodes.get(victim));
    List<AppProcess> survivors = IntStream.range(0, 3).filter(n -> n != victim).mapToObj(nodes::get).toList();
    List<Integer> linesAtKill = survivors.stream().map(node -> node.stdout().size()).toList();
    nodes.get(victim).kill9();
    long killedNanos = System.nanoTime();
    long partAtKill = MediaFiles.sizeOrMinusOne(part);
    assertThat(partAtKill).as("the big file is mid-upload").isBetween(32L * MIB, bigBytes - 1);
    awaitStartedSince(survivors, linesAtKill, moving);
    Duration moved = Duration.ofNanos(System.nanoTime() - killedNanos);
    List<Long> resent = new ArrayList<>();
    resent.add(partAtKill - resumedSince(survivors, linesAtKill, partAtKill));
    nodes.set(victim, startNode(victim));
    awaitJoined(nodes.get(victim), ids);

    // The rolling restart: each node in turn, the big file's first.
    List<Integer> order = new ArrayList<>(List.of(0, 1, 2));
    order.remove(runningOn(nodes).get(BIG).get(0));
    order.add(0, runningOn(nodes).get(BIG).get(0));
    List<String> handedOverEach = new ArrayList<>();
    for (int n : order) {
      AppProcess leaving = nodes.get(n);
      List<AppProcess> others = nodes.stream().filter(node -> node != leaving).toList();
      List<Integer> linesBefore = others.stream().map(node -> node.stdout().size()).toList();
      int leavingLinesBefore = leaving.stdout().size();
      leaving.terminate();
      // The big file's part as the leaving node handed it over: the next node starts it only once
      // it stopped, while the leaving node still takes a while to exit.
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(10))
          .until(() -> stoppedSince(leaving, leavingLinesBefore).contains(BIG) || !leaving.isAlive());
      long partAtStop = MediaFiles.sizeOrMinusOne(part);
      assertThat(leaving.waitFor(Duration.ofSeconds(60))).as(leaving.describe()).isEqualTo(AppProcess.SIGTERM_EXIT);
      // What this stop handed over, by the node's own lines: sharding may have moved a library
      // away from it (a rebalance to a restarted node) just before.
      List<String> handedOver = stoppedSince(leaving, leavingLinesBefore);
      awaitStartedSince(others, linesBefore, handedOver);
      if (handedOver.contains(BIG) && partAtStop >= 0) {
        resent.add(partAtStop - resumedSince(others, linesBefore, partAtStop));
      }
      handedOverEach.add(handedOver.size() + " from node " + n);
      nodes.set(n, startNode(n));
      awaitJoined(nodes.get(n), ids);
    }

    // Hashing a 1 GiB tree at every poll would slow the upload it waits for: first the file whole.
    Path whole = target(BIG).resolve("Videos/big.mov");
    await().atMost(COMPLETE_TIMEOUT).until(() -> Files.exists(whole) && !Files.exists(part));
    awaitEveryTargetEqualsItsSource(ids);
    Duration completed = Duration.ofNanos(System.nanoTime() - killedNanos);
    // At most one checkpoint interval (autoupload.upload.checkpoint-bytes, 8 MiB) sent again each
    // time the big file moved.
    // Below zero: the chunk in flight when the node stopped landed after its line said so (README).
    assertThat(resent).as("bytes of the big file sent again at each move").allSatisfy(bytes -> assertThat(bytes).isLessThanOrEqualTo(8L * MIB));
    List<String> everyFile = new ArrayList<>();
    for (String id : ids) {
      MediaFiles.sha256Tree(source(id)).keySet().forEach(path -> everyFile.add(id + " " + path + " completed"));
    }
    Api api = Api.of(nodes.get(0));
    await()
        .atMost(ACTIVITY_TIMEOUT.multipliedBy(2))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(activity(api)).containsExactlyInAnyOrderElementsOf(everyFile));
    for (AppProcess node : nodes) {
      assertThat(node.isAlive()).as(node.describe()).isTrue();
      assertThat(node.errorLines()).as(node.describe()).isEmpty();
    }
    System.out.printf(
        "ClusterIT: 30 libraries, %d files; killed node %d at %d bytes of the 1 GiB file, its %d libraries ran on survivors %.1f s later; rolling restart handed over %s; the big file sent again %s bytes at its moves; all on their targets %.1f s after the kill%n",
        everyFile.size(), victim, partAtKill, moving.size(), moved.toMillis() / 1000.0, handedOverEach, resent,
        completed.toMillis() / 1000.0);
  }

  /** The libraries a node's output says run there and have not stopped since. */
  private static List<String> nodeLibraries(AppProcess node) {
    return List.copyOf(runningOn(List.of(node)).keySet());
  }

  /** The libraries a node's output says stopped there since its line {@code linesBefore}. */
  private static List<String> stoppedSince(AppProcess node, int linesBefore) {
    List<String> lines = node.stdout();
    List<String> stopped = new ArrayList<>();
    for (String line : lines.subList(linesBefore, lines.size())) {
      Matcher library = Pattern.compile("autoupload: library (\\S+) stopped on this node").matcher(line);
      if (library.matches()) {
        stopped.add(library.group(1));
      }
    }
    return stopped;
  }

  /**
   * Where the big file went on after a move: the offset of the first line since {@code
   * linesBefore} on {@code others} that says it resumed; {@code partBefore} (nothing sent again)
   * when it was whole on the target already.
   */
  private long resumedSince(List<AppProcess> others, List<Integer> linesBefore, long partBefore) {
    Path whole = target(BIG).resolve("Videos/big.mov");
    await()
        .atMost(MOVE_TIMEOUT)
        .until(() -> resumedOffset(others, linesBefore).isPresent() || Files.exists(whole));
    return resumedOffset(others, linesBefore).orElse(partBefore);
  }

  private static Optional<Long> resumedOffset(List<AppProcess> others, List<Integer> linesBefore) {
    for (int i = 0; i < others.size(); i++) {
      List<String> lines = others.get(i).stdout();
      for (String line : lines.subList(linesBefore.get(i), lines.size())) {
        Matcher resumed = RESUMED.matcher(line);
        if (resumed.matches()) {
          return Optional.of(Long.parseLong(resumed.group(1)));
        }
      }
    }
    return Optional.empty();
  }

  @Test
  void aNodeRunningActivitySlicesKilledMidStreamTheActivityGoesOnOnTheSurvivorsFromTheirOffsets() throws Exception {
    SplittableRandom random = new SplittableRandom(3141);
    List<String> ids = List.of("act1", "act2", "act3", "act4", "act5", "act6");
    List<String> everyFile = new ArrayList<>();
    for (String id : ids) {
      MediaFiles.randomTree(source(id), 30, 64 * KIB, 512 * KIB, random);
      MediaFiles.sha256Tree(source(id)).keySet().forEach(path -> everyFile.add(id + " " + path + " completed"));
    }
    // Slow enough that uploads, and the events the projection folds, go on when a node dies.
    List<AppProcess> nodes = startCluster(ids, "2MiB");
    // Sharding spreads the slices over the nodes (it rebalances those the first node took).
    await().atMost(START_TIMEOUT).until(() -> everySliceOnceOn(nodes) && slicesOn(nodes).values().stream().filter(s -> !s.isEmpty()).count() >= 2);
    Map<Integer, Set<Integer>> placedAtStart = slicesOn(nodes);
    int victim = placedAtStart.entrySet().stream().filter(node -> !node.getValue().isEmpty()).findFirst().orElseThrow().getKey();
    List<AppProcess> survivors = IntStream.range(0, 3).filter(n -> n != victim).mapToObj(nodes::get).toList();
    Api api = Api.of(survivors.get(0));

    // Killed once the projections have written some of the Activity, and stored their offsets with it.
    await()
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> activity(api).stream().filter(item -> item.endsWith(" completed")).count() >= 20);
    Set<Integer> victimSlices = slicesOn(nodes).get(victim);
    nodes.get(victim).kill9();
    long killedNanos = System.nanoTime();
    long completedAtKill = activity(api).stream().filter(item -> item.endsWith(" completed")).count();
    assertThat(completedAtKill).as("files completed in the Activity at the kill").isLessThan(everyFile.size());

    await().atMost(MOVE_TIMEOUT).until(() -> everySliceOnceOn(survivors));
    Duration moved = Duration.ofNanos(System.nanoTime() - killedNanos);
    awaitEveryTargetEqualsItsSource(ids);
    Duration completed = Duration.ofNanos(System.nanoTime() - killedNanos);
    // Taken over from the stored offsets: every file once (nothing applied twice), completed.
    for (AppProcess survivor : survivors) {
      Api survivorApi = Api.of(survivor);
      await()
          .atMost(ACTIVITY_TIMEOUT)
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(() -> assertThat(activity(survivorApi)).containsExactlyInAnyOrderElementsOf(everyFile));
    }
    Duration listed = Duration.ofNanos(System.nanoTime() - killedNanos);
    for (AppProcess survivor : survivors) {
      assertThat(survivor.isAlive()).as(survivor.describe()).isTrue();
      assertThat(survivor.errorLines()).as(survivor.describe()).isEmpty();
    }

    // A survivor that runs slices now is stopped with SIGTERM: it hands its libraries and its
    // slices over to the last node before it exits, and the last node sends nothing again and
    // lists every file once, completed.
    Map<Integer, Set<Integer>> placedAfterKill = slicesOn(survivors);
    int leavingIndex = placedAfterKill.entrySet().stream().filter(node -> !node.getValue().isEmpty()).findFirst().orElseThrow().getKey();
    AppProcess leaving = survivors.get(leavingIndex);
    Set<Integer> leavingSlices = placedAfterKill.get(leavingIndex);
    AppProcess last = survivors.get(1 - leavingIndex);
    List<String> handedOver = nodeLibraries(leaving);
    long leavingNanos = System.nanoTime();
    leaving.terminate();
    assertThat(leaving.waitFor(Duration.ofSeconds(60))).as(leaving.describe()).isEqualTo(AppProcess.SIGTERM_EXIT);
    assertThat(leaving.stdout())
        .as(leaving.describe())
        .containsAll(handedOver.stream().map(id -> "autoupload: library " + id + " stopped on this node").toList())
        .containsAll(leavingSlices.stream().map(slice -> sliceLine(slice, "stopped")).toList());
    await()
        .atMost(MOVE_TIMEOUT)
        .until(
            () ->
                everySliceOnceOn(List.of(last))
                    && handedOver.stream().allMatch(id -> last.stdout().contains("autoupload: library " + id + " runs on this node")));
    Duration handedOverAfter = Duration.ofNanos(System.nanoTime() - leavingNanos);
    Api lastApi = Api.of(last);
    await()
        .atMost(ACTIVITY_TIMEOUT)
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(activity(lastApi)).containsExactlyInAnyOrderElementsOf(everyFile));
    for (JsonNode library : lastApi.json("api/status").get("libraries")) {
      if (handedOver.contains(library.get("id").asText())) {
        assertThat(library.get("bytesSent").asLong()).as("sent again after the hand-over: " + library).isZero();
      }
    }
    for (String id : ids) {
      assertThat(MediaFiles.sha256Tree(target(id))).as(id).isEqualTo(MediaFiles.sha256Tree(source(id)));
    }
    assertThat(last.isAlive()).as(last.describe()).isTrue();
    assertThat(last.errorLines()).as(last.describe()).isEmpty();
    System.out.printf(
        "ClusterIT: Activity slices per node at the start %s; killed node %d running slices %s with %d of %d files completed in the Activity; every slice ran on a survivor %.1f s after the kill (%s), all files on their targets after %.1f s, all listed once, completed, on both survivors after %.1f s; node %d stopped with SIGTERM handed %s and slices %s over, all %d slices running on the last node %.1f s later%n",
        placedAtStart, victim, victimSlices, completedAtKill, everyFile.size(), moved.toMillis() / 1000.0, placedAfterKill,
        completed.toMillis() / 1000.0, listed.toMillis() / 1000.0, nodes.indexOf(leaving), handedOver, leavingSlices,
        SLICES, handedOverAfter.toMillis() / 1000.0);
  }

  /**
   * Any node answers for every library: node B's {@code /api/status} shows a library that runs on
   * node A with A's counts, and a pause sent to B reaches A (the library's owner, through
   * sharding): the status says paused with the reason and A's file on the target stops growing.
   * Then A is killed: until it is downed and its libraries move, B lists them with their status
   * unknown and answers a pause with 503 naming them; once they moved, B shows them on a
   * survivor, still paused (the cluster's pause flag). A started again learns the pause before any
   * library runs on it. After the resume every file is on its target, sha256-equal.
   */
  @Test
  void anyNodeShowsAndPausesAndResumesALibraryThatRunsOnAnother() throws Exception {
    SplittableRandom random = new SplittableRandom(1618);
    List<String> ids = List.of("any1", "any2", "any3", "any4", "any5", "any6");
    for (String id : ids) {
      MediaFiles.randomTree(source(id), 4, 8 * KIB, 64 * KIB, random);
    }
    String slow = "any1";
    long longFileBytes = 64L * MIB;
    MediaFiles.write(source(slow).resolve("Videos/long.mov"), longFileBytes, random);
    long slowFiles = MediaFiles.sha256Tree(source(slow)).size();

    List<AppProcess> nodes = startCluster(ids, "4MiB");
    await()
        .atMost(START_TIMEOUT)
        .untilAsserted(
            () -> assertThat(runningOn(nodes).keySet()).as(() -> nodes.stream().map(AppProcess::describe).collect(Collectors.joining("\n"))).containsExactlyInAnyOrderElementsOf(ids));
    int a = runningOn(nodes).get(slow).get(0);
    AppProcess nodeA = nodes.get(a);
    AppProcess nodeB = nodes.get((a + 1) % 3);
    String addressOfA = clusterAddress(nodeA);
    Api b = Api.of(nodeB);

    // B lists every library of the cluster, each with the node that runs it; the slow one with A's
    // counts, while its long file goes up on A.
    Path part = target(slow).resolve("Videos/.long.mov.autoupload-part");
    await()
        .atMost(START_TIMEOUT)
        .untilAsserted(
            () -> {
              JsonNode libraries = b.json("api/status").get("libraries");
              assertThat(libraries).hasSize(ids.size());
              for (JsonNode library : libraries) {
                assertThat(library.get("unknown").isNull()).as(library.toString()).isTrue();
                assertThat(library.get("node").asText()).as(library.toString()).startsWith("127.0.0.1:");
              }
              JsonNode slowLibrary = libraryIn(libraries, slow);
              assertThat(slowLibrary.get("node").asText()).isEqualTo(addressOfA);
              assertThat(slowLibrary.get("discovered").asLong()).isEqualTo(slowFiles);
              assertThat(slowLibrary.get("inFlight").findValuesAsText("path")).contains("Videos/long.mov");
              assertThat(MediaFiles.sizeOrMinusOne(part)).isGreaterThanOrEqualTo(8 * MIB);
            });

    HttpResponse<String> paused = b.send("POST", "api/pause", null);
    assertThat(paused.statusCode()).as(paused.body()).isEqualTo(204);
    long pausedNanos = System.nanoTime();
    // The pause reached A: B and A both say so, with the reason.
    Api apiOfA = Api.of(nodeA);
    for (Api api : List.of(b, apiOfA)) {
      await()
          .atMost(MOVE_TIMEOUT)
          .untilAsserted(
              () -> {
                JsonNode status = api.json("api/status");
                assertThat(status.get("state").asText()).isEqualTo("paused");
                assertThat(libraryIn(status.get("libraries"), slow).get("reasons").findValuesAsText("code")).contains("USER_PAUSED");
              });
    }
    // No more bytes go out on A: the long file's part stops growing (after the chunk in flight)
    // and stays short of the whole file.
    long[] last = {MediaFiles.sizeOrMinusOne(part), System.nanoTime()};
    await()
        .atMost(MOVE_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              long size = MediaFiles.sizeOrMinusOne(part);
              if (size != last[0]) {
                last[0] = size;
                last[1] = System.nanoTime();
              }
              return System.nanoTime() - last[1] >= Duration.ofSeconds(3).toNanos();
            });
    long partWhilePaused = MediaFiles.sizeOrMinusOne(part);
    assertThat(partWhilePaused).as("the long file's part while paused").isBetween(8L * MIB, longFileBytes - 1);
    assertThat(target(slow).resolve("Videos/long.mov")).doesNotExist();
    Duration stoppedAfter = Duration.ofNanos(last[1] - pausedNanos);

    // 503 says "try again": a node busy with a moved library, or a loaded machine, may not answer
    // within library-ask-timeout. The answer that comes is 404.
    HttpResponse<String> unknownRetry =
        await()
            .atMost(MOVE_TIMEOUT)
            .until(() -> b.send("POST", "api/uploads/no-such-asset/retry", null), response -> response.statusCode() != 503);
    assertThat(unknownRetry.statusCode()).as(unknownRetry.body()).isEqualTo(404);

    // A dies while the cluster is paused: until it is downed B lists A's libraries, their status
    // unknown, and a pause sent again through B answers 503 naming them; once they moved, B shows
    // them on a survivor, where they stay paused (the cluster's pause flag): the long file's part
    // does not grow.
    List<String> onA = List.copyOf(runningOn(List.of(nodeA)).keySet());
    nodeA.kill9();
    long killedNanos = System.nanoTime();
    CompletableFuture<HttpResponse<String>> pauseWhileDead =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return b.send("POST", "api/pause", null);
              } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    JsonNode whileDead = b.json("api/status").get("libraries");
    assertThat(whileDead).hasSize(ids.size());
    for (JsonNode library : whileDead) {
      if (onA.contains(library.get("id").asText())) {
        assertThat(library.get("unknown").asText()).as(library.toString()).startsWith("unreachable");
        assertThat(library.get("node").isNull()).as(library.toString()).isTrue();
      } else {
        assertThat(library.get("unknown").isNull()).as(library.toString()).isTrue();
      }
    }
    HttpResponse<String> refusedPause = pauseWhileDead.get(60, TimeUnit.SECONDS);
    assertThat(refusedPause.statusCode()).as(refusedPause.body()).isEqualTo(503);
    assertThat(refusedPause.body()).contains(onA.get(0));
    await()
        .atMost(MOVE_TIMEOUT.multipliedBy(2))
        .untilAsserted(
            () -> {
              JsonNode libraries = b.json("api/status").get("libraries");
              for (JsonNode library : libraries) {
                assertThat(library.get("unknown").isNull()).as(library.toString()).isTrue();
                assertThat(library.get("node").asText()).as(library.toString()).isNotEqualTo(addressOfA);
              }
              assertThat(libraryIn(libraries, slow).get("reasons").findValuesAsText("code")).contains("USER_PAUSED");
            });
    Duration shownAgain = Duration.ofNanos(System.nanoTime() - killedNanos);
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .until(() -> MediaFiles.sizeOrMinusOne(part) <= partWhilePaused);

    Duration completed;
    // A starts again, a new process: it learns the pause from the others before any library
    // starts on it.
    AppProcess restarted = startNode(a);
    nodes.set(a, restarted);
    awaitJoined(restarted, ids);
    await()
        .atMost(MOVE_TIMEOUT)
        .until(() -> restarted.stdout().contains("autoupload: the cluster is paused: uploads on this node wait for a resume"));

    // The Activity page on the restarted node shows every library of the cluster: once all files
    // are up, it counts them all.
    long everyFile = 0;
    for (String id : ids) {
      everyFile += MediaFiles.sha256Tree(source(id)).size();
    }
    Api apiOfRestarted = Api.of(restarted);
    try (Browser browser = Browser.start(tmp.resolve("chromium-profile"), tmp.resolve("screenshots"))) {
      browser.open(apiOfRestarted.base());
      browser.waitFor("the login form", By.cssSelector("#login-panel:not([hidden]) form#login-form"));
      browser.find("input#token").sendKeys(apiOfRestarted.token());
      browser.find("button#login").click();
      browser.waitForText("the state", "#state[data-state='paused']");

      HttpResponse<String> resumed = b.send("POST", "api/resume", null);
      assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(204);
      long resumedNanos = System.nanoTime();
      await()
          .atMost(MOVE_TIMEOUT)
          .until(() -> restarted.stdout().contains("autoupload: the cluster is resumed: uploads on this node go on"));
      awaitEveryTargetEqualsItsSource(ids);
      completed = Duration.ofNanos(System.nanoTime() - resumedNanos);
      String backedUp = String.valueOf(everyFile);
      browser.waitUntil(
          "every file of the cluster backed up, on the page of node " + a,
          () -> backedUp.equals(browser.find("[data-count='backedUp']").getText()) ? true : null);
    }
    await()
        .atMost(MOVE_TIMEOUT)
        .untilAsserted(
            () -> {
              JsonNode status = b.json("api/status");
              assertThat(status.get("state").asText()).isNotEqualTo("paused");
              JsonNode slowLibrary = libraryIn(status.get("libraries"), slow);
              assertThat(slowLibrary.get("reasons").findValuesAsText("code")).doesNotContain("USER_PAUSED");
              // The library moved: the node that runs it now counts what A uploaded as already
              // backed up.
              assertThat(slowLibrary.get("completed").asLong() + slowLibrary.get("alreadyBackedUp").asLong())
                  .as(slowLibrary.toString())
                  .isEqualTo(slowFiles);
            });

    Duration addedAndBackedUp = addAndRemoveALibraryThroughTwoNodes(b, Api.of(nodes.get((a + 2) % 3)), nodes, ids.size(), random);
    for (AppProcess node : nodes) {
      assertThat(node.isAlive()).as(node.describe()).isTrue();
      assertThat(node.errorLines()).as(node.describe()).isEmpty();
    }
    System.out.printf(
        "ClusterIT: a library with its own conditions, added through one node, waited for its report and was backed up %.1f s after it; removed through another%n",
        addedAndBackedUp.toMillis() / 1000.0);
    System.out.printf(
        "ClusterIT: %s ran on node %d (%s), paused through node %d; its long file stopped growing %.1f s after the pause at %d bytes; %s unknown on node %d after the kill, shown on survivors %.1f s after it, still paused; node %d restarted paused; every file on its target %.1f s after the resume%n",
        slow, a, addressOfA, nodes.indexOf(nodeB), stoppedAfter.toMillis() / 1000.0, partWhilePaused,
        onA, nodes.indexOf(nodeB), shownAgain.toMillis() / 1000.0, a, completed.toMillis() / 1000.0);
  }

  /**
   * A library added through node {@code b} is listed by node {@code c} (the nodes share the
   * change through their database) and runs on some node; it has conditions of its own (a
   * phone's), so it sends nothing until a report for it, sent through {@code b} to whichever node
   * runs it, and then backs up every file; a second add of its id and a bad definition are
   * refused; removed through {@code c}, it stops on the node that ran it, and no node lists it or
   * runs it any more.
   *
   * @return how long from its phone's report until every file of it was on its target
   */
  private Duration addAndRemoveALibraryThroughTwoNodes(Api b, Api c, List<AppProcess> nodes, int others, SplittableRandom random)
      throws Exception {
    String late = "late";
    MediaFiles.randomTree(source(late), 5, 8 * KIB, 64 * KIB, random);
    long files;
    try (Stream<Path> walk = Files.walk(source(late))) {
      files = walk.filter(Files::isRegularFile).count();
    }
    String definition = apiDefinition(late).replace("}", ", \"conditions\": \"reported\"}");
    HttpResponse<String> added = b.send("POST", "api/libraries", definition);
    assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
    assertThat(c.send("POST", "api/libraries", definition).statusCode()).as("the same id again, through another node").isEqualTo(409);
    HttpResponse<String> bad = c.send("POST", "api/libraries", "{\"id\": \"bad\", \"source\": \"relative/photos\", \"target\": \"file:///tmp/bad\"}");
    assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);

    JsonNode listed = c.json("api/libraries");
    assertThat(listed.findValuesAsText("id")).hasSize(others + 1).contains(late);
    assertThat(libraryIn(listed.get("libraries"), late).get("conditions").asText()).isEqualTo("reported");
    // It runs and has found its files, but waits for its phone and says so; nothing is sent.
    await()
        .atMost(MOVE_TIMEOUT)
        .untilAsserted(
            () -> {
              JsonNode library = libraryIn(c.json("api/status").get("libraries"), late);
              assertThat(library.get("node").asText()).startsWith("127.0.0.1:");
              assertThat(library.get("discovered").asLong()).as(library.toString()).isEqualTo(files);
              assertThat(library.get("reasons").findValuesAsText("code")).contains("CONDITIONS_UNKNOWN");
            });
    assertThat(runningOn(nodes)).containsKey(late);
    assertThat(Files.exists(target(late)) ? MediaFiles.sha256Tree(target(late)) : Map.of()).isEmpty();
    assertThat(c.json("api/libraries/" + late + "/conditions").get("reasons").findValuesAsText("code"))
        .containsExactly("CONDITIONS_UNKNOWN");

    long reportedNanos = System.nanoTime();
    HttpResponse<String> reported = b.send("PUT", "api/libraries/" + late + "/conditions", PHONE_ON_WIFI);
    assertThat(reported.statusCode()).as(reported.body()).isEqualTo(200);
    awaitEveryTargetEqualsItsSource(List.of(late));
    Duration backedUp = Duration.ofNanos(System.nanoTime() - reportedNanos);
    assertThat(c.json("api/libraries/" + late + "/conditions").at("/conditions/wifiSsid").asText()).isEqualTo("home");

    HttpResponse<String> removed = c.send("DELETE", "api/libraries/" + late, null);
    assertThat(removed.statusCode()).as(removed.body()).isEqualTo(204);
    assertThat(runningOn(nodes)).doesNotContainKey(late);
    assertThat(nodes.stream().anyMatch(node -> node.stdout().contains("autoupload: library " + late + " stopped on this node"))).isTrue();
    assertThat(b.json("api/libraries").findValuesAsText("id")).hasSize(others).doesNotContain(late);
    assertThat(b.json("api/status").get("libraries").findValuesAsText("id")).doesNotContain(late);
    assertThat(b.send("DELETE", "api/libraries/" + late, null).statusCode()).as("removed already").isEqualTo(404);
    // What it backed up stays backed up.
    assertThat(MediaFiles.sha256Tree(target(late))).isEqualTo(MediaFiles.sha256Tree(source(late)));
    return backedUp;
  }

  private static JsonNode libraryIn(JsonNode libraries, String id) {
    for (JsonNode library : libraries) {
      if (library.get("id").asText().equals(id)) {
        return library;
      }
    }
    throw new AssertionError("no library " + id + " in " + libraries);
  }

  /** A node's {@code host:port} in the cluster, as its first line names it. */
  private static String clusterAddress(AppProcess node) {
    Matcher address =
        Pattern.compile("autoupload: node (\\S+) of the cluster of .*")
            .matcher(node.awaitLine(line -> line.startsWith("autoupload: node "), START_TIMEOUT));
    assertThat(address.matches()).isTrue();
    return address.group(1);
  }

  /**
   * Starts three nodes of the packaged app with one config file of the libraries {@code ids} and
   * waits until each has joined.
   */
  private List<AppProcess> startCluster(List<String> ids, String bandwidthLimit) throws Exception {
    List<Integer> ports = freePorts(3);
    clusterPorts = ports;
    String seeds = ports.stream().map(port -> "\"127.0.0.1:" + port + "\"").collect(Collectors.joining(", "));
    Path config = tmp.resolve("cluster.conf");
    Files.writeString(
        config,
        "autoupload {\n"
            + "  layout.pattern = \"{path}\"\n"
            + "  journal { url = \"" + postgres.jdbcUrl() + "\", user = \"" + postgres.user() + "\", password = \"\" }\n"
            + "  policy.bandwidth-limit = " + bandwidthLimit + "\n"
            + "  cluster { seed-nodes = [" + seeds + "], wait-for-nodes = 3, stable-after = 3s }\n"
            + "  libraries = [\n"
            + ids.stream().map(this::library).collect(Collectors.joining(",\n"))
            + "\n  ]\n"
            + "}\n");

    List<AppProcess> nodes = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      nodes.add(startNode(n));
    }
    for (AppProcess node : nodes) {
      awaitJoined(node, ids);
    }
    return nodes;
  }

  /** Node {@code n} of the cluster {@link #startCluster} started: its port, data dir and config file. */
  private AppProcess startNode(int n) {
    return apps.start(
        AppProcess.launch(
            "serve", "--config", tmp.resolve("cluster.conf").toString(), "--data-dir", tmp.resolve("node" + n).toString(),
            "--http", "127.0.0.1:0", "--set", "autoupload.cluster.port=" + clusterPorts.get(n)));
  }

  private static void awaitJoined(AppProcess node, List<String> ids) {
    node.awaitLine(
        line -> line.startsWith("autoupload: node 127.0.0.1:") && line.contains(" " + ids.size() + " libraries spread over its nodes"),
        START_TIMEOUT);
  }

  /** Equal trees: every file once, byte for byte, and no part file or second copy beside it. */
  private void awaitEveryTargetEqualsItsSource(List<String> ids) {
    for (String id : ids) {
      Map<String, String> expected = MediaFiles.sha256Tree(source(id));
      await()
          .atMost(COMPLETE_TIMEOUT)
          .ignoreExceptions()
          .untilAsserted(() -> assertThat(MediaFiles.sha256Tree(target(id))).as(id).isEqualTo(expected));
    }
  }

  /**
   * The Activity slices each node's output says run there and have not stopped since, by the
   * node's index in {@code nodes}; a dead node runs none.
   */
  private static Map<Integer, Set<Integer>> slicesOn(List<AppProcess> nodes) {
    Map<Integer, Set<Integer>> where = new TreeMap<>();
    for (int n = 0; n < nodes.size(); n++) {
      Set<Integer> slices = new TreeSet<>();
      for (String line : nodes.get(n).stdout()) {
        Matcher slice = SLICE_LINE.matcher(line);
        if (slice.matches()) {
          if (slice.group(2).equals("runs")) {
            slices.add(Integer.parseInt(slice.group(1)));
          } else {
            slices.remove(Integer.parseInt(slice.group(1)));
          }
        }
      }
      where.put(n, nodes.get(n).isAlive() ? slices : Set.of());
    }
    return where;
  }

  /** Whether every Activity slice runs on exactly one of {@code nodes}. */
  private static boolean everySliceOnceOn(List<AppProcess> nodes) {
    List<Integer> running = slicesOn(nodes).values().stream().flatMap(Set::stream).sorted().toList();
    return running.equals(IntStream.range(0, SLICES).boxed().toList());
  }

  private static String sliceLine(int slice, String what) {
    return "autoupload: Activity slice " + slice + " of " + SLICES + " " + what + " on this node";
  }

  /** Every item of a node's {@code /api/activity}, page by page, as "library path state". */
  private static List<String> activity(Api api) throws IOException, InterruptedException {
    List<String> items = new ArrayList<>();
    String path = "api/activity?limit=500";
    while (true) {
      JsonNode page = api.json(path);
      for (JsonNode item : page.get("items")) {
        items.add(item.get("library").asText() + " " + item.get("path").asText() + " " + item.get("state").asText());
      }
      JsonNode next = page.get("next");
      if (next == null || !next.isTextual()) {
        return items;
      }
      path = "api/activity?limit=500&before=" + java.net.URLEncoder.encode(next.asText(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** Each library's id with the nodes whose output says it runs there and has not stopped since. */
  private static Map<String, List<Integer>> runningOn(List<AppProcess> nodes) {
    Map<String, List<Integer>> where = new TreeMap<>();
    for (int n = 0; n < nodes.size(); n++) {
      Map<String, Boolean> running = new TreeMap<>();
      for (String line : nodes.get(n).stdout()) {
        Matcher runs = Pattern.compile("autoupload: library (\\S+) (runs|stopped) on this node").matcher(line);
        if (runs.matches()) {
          running.put(runs.group(1), runs.group(2).equals("runs"));
        }
      }
      for (Map.Entry<String, Boolean> library : running.entrySet()) {
        if (library.getValue()) {
          where.computeIfAbsent(library.getKey(), id -> new ArrayList<>()).add(n);
        }
      }
    }
    return where;
  }

  /** Whether a survivor's output says, after the kill, that library {@code id} runs there. */
  /**
   * Waits up to {@link #MOVE_TIMEOUT} until each of {@code ids} runs on one of {@code nodes}, every
   * one of them alive; if not, fails naming the libraries that did not move, with the nodes' output.
   */
  private static void awaitStartedSince(List<AppProcess> nodes, List<Integer> linesBefore, List<String> ids) {
    long since = System.nanoTime();
    try {
      await()
          .atMost(MOVE_TIMEOUT)
          .until(() -> nodes.stream().allMatch(AppProcess::isAlive) && ids.stream().allMatch(id -> startedSince(nodes, linesBefore, id)));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      List<String> notMoved = ids.stream().filter(id -> !startedSince(nodes, linesBefore, id)).toList();
      throw new AssertionError(
          "after " + Duration.ofNanos(System.nanoTime() - since).toMillis() + " ms, " + notMoved + " of " + ids
              + " do not run on any of these nodes yet:\n"
              + nodes.stream().map(AppProcess::describe).collect(Collectors.joining("\n")),
          e);
    }
  }

  private static boolean startedSince(List<AppProcess> survivors, List<Integer> linesAtKill, String id) {
    for (int i = 0; i < survivors.size(); i++) {
      List<String> lines = survivors.get(i).stdout();
      if (lines.subList(linesAtKill.get(i), lines.size()).contains("autoupload: library " + id + " runs on this node")) {
        return true;
      }
    }
    return false;
  }

  private static List<Integer> freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  private String library(String id) {
    return "    { id = \"" + id + "\", source = \"" + source(id) + "\", target = \"" + target(id).toUri() + "\" }";
  }

  /** A library as {@code POST /api/libraries} takes it. */
  /** A phone on its home Wi-Fi for a while, with battery to spare. */
  private static final String PHONE_ON_WIFI =
      """
      {"batteryPercent": 90, "charging": false, "lowPowerMode": false, "network": "WIFI", "metered": false,
       "wifiSsid": "home", "backgroundRefreshAllowed": true, "photoAccess": "FULL", "osState": "BACKGROUND",
       "networkSince": "2020-01-01T00:00:00Z"}""";

  private String apiDefinition(String id) {
    return "{\"id\": \"" + id + "\", \"source\": \"" + source(id) + "\", \"target\": \"" + target(id).toUri() + "\"}";
  }

  private Path source(String id) {
    return tmp.resolve("photos").resolve(id);
  }

  private Path target(String id) {
    return tmp.resolve("backup").resolve(id);
  }

  private record Api(URI base, String token) {

    static Api of(AppProcess app) throws IOException {
      Matcher endpoint = ENDPOINT.matcher(app.awaitLine(line -> ENDPOINT.matcher(line).matches(), START_TIMEOUT));
      assertThat(endpoint.matches()).isTrue();
      return new Api(URI.create(endpoint.group(1)), Files.readString(Path.of(endpoint.group(2))).strip());
    }

    JsonNode json(String path) throws IOException, InterruptedException {
      HttpRequest request =
          HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token).build();
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return JSON.readTree(response.body());
    }

    HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
      HttpRequest request =
          HttpRequest.newBuilder(base.resolve(path))
              .timeout(Duration.ofSeconds(60))
              .header("Authorization", "Bearer " + token)
              .header("Content-Type", "application/json")
              .method(method, HttpRequest.BodyPublishers.ofString(Optional.ofNullable(body).orElse("")))
              .build();
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
  }
}

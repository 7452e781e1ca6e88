package dev.autoupload.targets.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.TargetSettings;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a probe says about a file already under a name, over seeded random histories on a real
 * nginx: two targets (two engines backing up into one folder, each with the manifests it read
 * kept by ETag) publish and replace files, another app writes and deletes files and edits the
 * manifest (keeping its size and modification time, so that nginx's ETag stays the same), and
 * either target probes at any point. Against the files as they are on the disk:
 *
 * <ul>
 *   <li>a hash a probe reports is always the file's own, however stale a kept manifest is;
 *   <li>a file a target published and whose manifest line it wrote is known to both targets
 *       while nothing has touched the file or the manifest since, however many other files came.
 * </ul>
 *
 * A replacement never keeps the size of the file it replaces within the second: that a manifest
 * line cannot tell those apart is a documented limit of size and modification time, not of the
 * probe.
 */
class ManifestProbeHistoryTest {

  private static final String FOLDER = "2026/12/";
  private static final List<String> NAMES = List.of("IMG_0.jpg", "IMG_1.jpg", "IMG_2.jpg", "IMG_3.jpg");
  private static final int HISTORIES = 40;
  private static final int STEPS = 40;

  @TempDir Path spoolDir;

  @RegisterExtension static final NginxWebDavServer nginx = new NginxWebDavServer();

  @Test
  void aProbeReportsOnlyTheFilesOwnHashAndKnowsWhatWasPublishedSince() throws Exception {
    for (long seed = 1; seed <= HISTORIES; seed++) {
      new History(seed).run();
    }
  }

  private final class History {
    final long seed;
    final SplittableRandom random;
    final String root;
    final WebDavTarget[] targets;
    /** Names each target published and has not written into the manifest yet. */
    final List<Set<String>> waiting = List.of(new HashSet<>(), new HashSet<>());
    /** Names whose manifest line a target wrote, untouched since. */
    final Set<String> known = new HashSet<>();
    final List<String> steps = new ArrayList<>();
    /** Sizes grow with each version, so no replacement keeps its predecessor's size. */
    int nextSize = 500;
    /** Modification times the other app gives its files: in the past, each its own second. */
    long foreignSecond = Instant.now().minusSeconds(86_400).getEpochSecond();

    History(long seed) {
      this.seed = seed;
      this.random = new SplittableRandom(seed);
      this.root = "history-" + seed;
      this.targets = new WebDavTarget[] {target(), target()};
    }

    WebDavTarget target() {
      return new WebDavTarget(
          nginx.uri("/" + root),
          Optional.of(NginxWebDav.USER),
          TargetSettings.defaults()
              .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), 64 * 1024)
              .withSpoolDir(spoolDir)
              .withPassword(NginxWebDav.PASSWORD));
    }

    void run() throws Exception {
      targets[0].check();
      for (int step = 0; step < STEPS; step++) {
        int t = random.nextInt(2);
        String name = NAMES.get(random.nextInt(NAMES.size()));
        switch (random.nextInt(8)) {
          case 0, 1 -> publish(t, name, false);
          case 2 -> publish(t, name, true);
          case 3 -> close(t);
          case 4 -> otherAppWrites(name);
          case 5 -> otherAppEditsTheManifest();
          default -> probe(t, name);
        }
      }
      for (String name : NAMES) {
        probe(0, name);
        probe(1, name);
      }
    }

    void publish(int t, String name, boolean replacing) throws Exception {
      byte[] content = content();
      steps.add("t" + t + (replacing ? " replaces " : " publishes ") + name + " (" + content.length + " bytes)");
      try (UploadSession session =
          replacing ? targets[t].openReplacing(FOLDER + name, content.length, Optional.empty()) : targets[t].open(FOLDER + name, content.length)) {
        session.append(0, ByteBuffer.wrap(content));
        session.complete(content.length, sha(content));
      } catch (UploadException e) {
        assertThat(e.error()).as(context()).isInstanceOf(UploadError.Conflict.class);
        steps.add("  conflict");
        return;
      }
      known.remove(name);
      waiting.get(1 - t).remove(name);
      waiting.get(t).add(name);
    }

    void close(int t) {
      steps.add("t" + t + " closes");
      targets[t].close();
      known.addAll(waiting.get(t));
      waiting.get(t).clear();
    }

    void otherAppWrites(String name) throws Exception {
      Path file = stored(name);
      forget(name);
      if (Files.exists(file) && random.nextBoolean()) {
        steps.add("the other app deletes " + name);
        Files.delete(file);
        return;
      }
      // The same size as before, or a new one: either way a second of its own.
      int size = Files.exists(file) && random.nextBoolean() ? (int) Files.size(file) : nextSize++;
      byte[] content = new byte[size];
      random.nextBytes(content);
      steps.add("the other app writes " + name + " (" + size + " bytes)");
      Files.createDirectories(file.getParent());
      Files.write(file, content);
      Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(foreignSecond++)));
    }

    /** Renames a line's file to one no history uses, keeping the manifest's size and time. */
    void otherAppEditsTheManifest() throws Exception {
      Path manifest = stored(FolderManifest.NAME);
      if (!Files.exists(manifest)) {
        return;
      }
      List<String> lines = new ArrayList<>(Files.readAllLines(manifest));
      List<Integer> entries = new ArrayList<>();
      for (int i = 1; i < lines.size(); i++) {
        if (lines.get(i).contains(" IMG_")) {
          entries.add(i);
        }
      }
      if (entries.isEmpty()) {
        return;
      }
      int line = entries.get(random.nextInt(entries.size()));
      String name = lines.get(line).replaceAll(".* (IMG_[^ ]*) .*", "$1");
      String edited = lines.get(line).replace(" IMG_", " XXX_");
      steps.add("the other app edits the manifest: " + edited);
      lines.set(line, edited);
      FileTime modified = Files.getLastModifiedTime(manifest);
      Files.write(manifest, lines);
      Files.setLastModifiedTime(manifest, modified);
      // A line may be written before its target closes (a probe of its name, a conflict, the
      // time limit): a waiting name may be the one edited too.
      forget(name);
    }

    void probe(int t, String name) throws Exception {
      RemoteState state = targets[t].probe(FOLDER + name);
      steps.add("t" + t + " probes " + name + ": " + state);
      Path file = stored(name);
      if (!(state instanceof RemoteState.Complete complete)) {
        // A listing is trusted for 30 s: a file written since may be reported absent.
        assertThat(state).as(context()).isInstanceOf(RemoteState.Absent.class);
        return;
      }
      assertThat(Files.exists(file)).as(context()).isTrue();
      byte[] content = Files.readAllBytes(file);
      assertThat(complete.size()).as(context()).isEqualTo(content.length);
      if (complete.sha256().isPresent()) {
        assertThat(complete.sha256()).as("a reported hash is the file's own; " + context()).contains(sha(content));
      } else {
        assertThat(known).as("a hash written into the manifest is known; " + context()).doesNotContain(name);
      }
    }

    /** The other app's change to a name or its line: no target's line for it is known to hold. */
    void forget(String name) {
      known.remove(name);
      waiting.get(0).remove(name);
      waiting.get(1).remove(name);
    }

    byte[] content() {
      byte[] content = new byte[nextSize++];
      random.nextBytes(content);
      return content;
    }

    Path stored(String name) {
      return nginx.www().resolve(root).resolve(FOLDER).resolve(name);
    }

    String context() {
      String manifest;
      try {
        Path file = stored(FolderManifest.NAME);
        manifest = Files.exists(file) ? Files.readString(file) + "modified " + Files.getLastModifiedTime(file) : "none";
      } catch (java.io.IOException e) {
        manifest = e.toString();
      }
      return "seed " + seed + ":\n  " + String.join("\n  ", steps) + "\nthe manifest:\n" + manifest;
    }
  }

  private static String sha(byte[] content) {
    MessageDigest digest = Sha256.newDigest();
    digest.update(content);
    return Sha256.hex(digest);
  }
}

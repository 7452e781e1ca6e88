package dev.autoupload.engine.internal.library;

import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.upload.ConflictPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What must hold after a run, whatever the engine does inside: the set of contents that must be on
 * the target, and what the run's counts must say. It knows nothing of the engine but what any
 * observer sees: the source before the run, the target before and after, the counts and the
 * per-file reports. Returns the broken rules, empty when all hold.
 */
final class ReferenceModel {

  /** Contents surely in the journal: those of the source after each run that went through. */
  private final Set<String> journaled = new HashSet<>();
  /** Contents that may go up twice: on the target while the journal may not know them. */
  private final Set<String> mayRepeat = new HashSet<>();
  private final ConflictPolicy policy;
  private final boolean uploadEachCopy;

  ReferenceModel(ConflictPolicy policy, boolean uploadEachCopy) {
    this.policy = policy;
    this.uploadEachCopy = uploadEachCopy;
  }

  void journalLost() {
    journaled.clear();
  }

  /** Before every run, killed or not. */
  void runStarts(Map<String, String> target) {
    for (String content : target.values()) {
      if (!journaled.contains(content)) {
        mayRepeat.add(content);
      }
    }
  }

  /**
   * After a run that went through with no change to the source while it ran.
   *
   * @param source sha256 by path at the start of the run
   */
  List<String> check(
      Map<String, String> source,
      Map<String, String> targetBefore,
      Map<String, String> targetAfter,
      LibraryPlan.Counts counts,
      List<EngineEvent> reports,
      boolean faults) {
    List<String> broken = new ArrayList<>();
    Set<String> leftOut = new HashSet<>();
    counts.notBackedUp().forEach(skip -> leftOut.add(skip.path()));
    counts.failures().forEach(failure -> leftOut.add(failure.path()));
    Collection<String> onTarget = targetAfter.values();

    // Every content of the source is on the target, unless its file is named as not backed up.
    Set<String> backedUp = new HashSet<>();
    source.forEach(
        (path, content) -> {
          if (leftOut.contains(path)) {
            return;
          }
          backedUp.add(content);
          if (!onTarget.contains(content)) {
            broken.add(path + " is not on the target, yet not reported as failed or left out");
          }
        });
    // Nothing is left out but for a reason the settings give.
    if (!counts.notBackedUp().isEmpty() && policy != ConflictPolicy.SKIP) {
      broken.add("left out without on-conflict = skip: " + counts.notBackedUp());
    }
    if (!counts.failures().isEmpty() && !faults) {
      broken.add("failed without a fault: " + counts.failures());
    }
    // Every file reported backed up has its content there.
    for (EngineEvent event : reports) {
      if (event instanceof EngineEvent.AssetUploaded uploaded && !onTarget.contains(source.get(uploaded.path()))) {
        broken.add("reported backed up but not on the target: " + uploaded.path());
      }
    }
    // The counts add up to the files, each counted once.
    if (counts.discovered() != source.size()) {
      broken.add("files=" + counts.discovered() + " but the source holds " + source.size());
    }
    long accounted = counts.completed() + counts.alreadyBackedUp() + counts.skipped() + counts.failed();
    if (accounted != source.size()) {
      broken.add("uploaded+already+skipped+failed=" + accounted + " for " + source.size() + " files: " + counts);
    }
    // Uploads: every content the target lacked, and at most those the journal could not know.
    Set<String> lacking = new HashSet<>(backedUp);
    lacking.removeAll(targetBefore.values());
    Set<String> unknown = new HashSet<>(backedUp);
    unknown.removeAll(journaled);
    long most = uploadEachCopy ? source.size() : unknown.size();
    if (counts.completed() < lacking.size() || counts.completed() > most) {
      broken.add(
          "uploaded=" + counts.completed() + " but the target lacked " + lacking.size()
              + " contents and the journal could not know " + unknown.size());
    }
    // Nothing is uploaded twice, unless the journal could not know it was there.
    if (!uploadEachCopy) {
      Map<String, Integer> copies = new HashMap<>();
      targetAfter.values().forEach(content -> copies.merge(content, 1, Integer::sum));
      copies.forEach(
          (content, n) -> {
            if (n > 1 && !mayRepeat.contains(content)) {
              broken.add("content " + content.substring(0, 8) + " is " + n + " times on the target");
            }
          });
    }
    // The target never loses a file, unless overwrite replaced one.
    if (policy != ConflictPolicy.OVERWRITE) {
      targetBefore.forEach(
          (path, content) -> {
            if (!content.equals(targetAfter.get(path))) {
              broken.add("the target lost or changed " + path);
            }
          });
    }
    journaled.addAll(backedUp);
    return broken;
  }

  /** The model's words for the run's counts. */
  static String describe(LibraryPlan.Counts counts) {
    return "files=" + counts.discovered() + " uploaded=" + counts.completed() + " already=" + counts.alreadyBackedUp()
        + " skipped=" + counts.skipped() + " failed=" + counts.failed()
        + (counts.notBackedUp().isEmpty() ? "" : " left-out=" + counts.notBackedUp().stream().map(LibraryStatus.Skip::path).toList());
  }
}

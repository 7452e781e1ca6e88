package dev.autoupload.it.history;

import dev.autoupload.it.RunSummary;
import dev.autoupload.it.history.SourceFolder.Content;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What must hold after each run of a history, from what the source and the target held at its
 * start and what the journal can know: plain sets of sha256, nothing of the engine.
 *
 * <p>The journal surely knows every content that was in the source when a completed run started
 * (since the journal was made): that run backed each file up. Nothing a killed run did may be
 * relied on. A content the journal does not surely know can only be found by probing the remote
 * path of a file that has it, or that path's keep-both names; so when the target holds it elsewhere
 * only, it may go up once more. Those contents, and no others, may gain a second copy; every
 * content the target lacks goes up exactly once; nothing on the target is removed or replaced.
 *
 * <p>Another client may remove a backup between runs ({@link TargetTampering}). A content the
 * journal may know (a run since the journal was made found it on the target or put it there) is
 * then trusted to the journal: a run need not send it again, and may call a copy of it already
 * backed up. What shows the loss is {@code verify}, which {@link #lostBehindTheJournal} says it
 * must report.
 */
final class ReferenceModel {

  /** {@code uploaded <path> -> <remote path> <bytes>}; the source path is what counts here. */
  private static final Pattern UPLOADED = Pattern.compile("uploaded (.+) -> .+ (\\d+)");
  private static final String ALREADY = "already-on-target ";

  private final Set<String> surelyKnown = new HashSet<>();
  /** Contents a run since the journal was made may have recorded: its source's, once on the target. */
  private final Set<String> mayKnow = new HashSet<>();
  private boolean killedSinceCompleted;
  private long fileChecks;

  void journalLost() {
    surelyKnown.clear();
    mayKnow.clear();
  }

  /** Files and report lines checked so far. */
  long fileChecks() {
    return fileChecks;
  }

  Run start(Map<String, Content> source, TargetView target) {
    return new Run(source, target);
  }

  /** {@code IMG_0001~3f2a9c1b.JPG}: where keep-both puts a second content of {@code IMG_0001.JPG}. */
  static String keepBothPath(String path, String sha256) {
    return keepBothPath(path, sha256, 8);
  }

  /**
   * {@code IMG_0001~3f2a9c1b5e7d0a42.JPG}: where keep-both puts it when {@link #keepBothPath} holds
   * yet another content (another client edited a kept copy).
   */
  static String keepBothPathAgain(String path, String sha256) {
    return keepBothPath(path, sha256, 16);
  }

  private static String keepBothPath(String path, String sha256, int digits) {
    int slash = path.lastIndexOf('/');
    int dot = path.lastIndexOf('.');
    String suffix = "~" + sha256.substring(0, digits);
    return dot > slash + 1 ? path.substring(0, dot) + suffix + path.substring(dot) : path + suffix;
  }

  /** Whether {@code view} holds {@code content} where a probe of {@code path} finds it: there, or at a keep-both name. */
  private static boolean atAPlaceOf(TargetView view, String path, String content) {
    return content.equals(sha256At(view, path))
        || content.equals(sha256At(view, keepBothPath(path, content)))
        || content.equals(sha256At(view, keepBothPathAgain(path, content)));
  }

  /** One run: what it may do given the state at its start, and the checks once it has ended. */
  final class Run {
    private final Map<String, Content> source;
    private final TargetView before;
    /** Contents of the source the target lacks: each goes up once. */
    private final Set<String> fresh = new TreeSet<>();
    /** Contents the target holds, but not where the app can find them without the journal. */
    private final Set<String> mayRepeat = new TreeSet<>();
    /** Contents the journal may know that another client removed from the target: go up at most once. */
    private final Set<String> lostWhileKnown = new TreeSet<>();

    private Run(Map<String, Content> source, TargetView before) {
      this.source = source;
      this.before = before;
      Map<String, Integer> onTarget = before.copies();
      filesByContent().forEach((content, paths) -> {
        if (!onTarget.containsKey(content)) {
          (mayKnow.contains(content) ? lostWhileKnown : fresh).add(content);
        } else if (!surelyKnown.contains(content)
            && !paths.stream()
                .allMatch(
                    path ->
                        before.proves(path, content)
                            || before.proves(keepBothPath(path, content), content)
                            || before.proves(keepBothPathAgain(path, content), content))) {
          mayRepeat.add(content);
        }
      });
    }

    /** After any run, killed or not: no backup removed or replaced, no content more often than allowed. */
    List<String> checkTarget(TargetView after) {
      List<String> violations = new ArrayList<>();
      before.files().forEach((path, stored) -> {
        fileChecks++;
        TargetView.Stored now = after.files().get(path);
        if (now == null || !now.sha256().equals(stored.sha256())) {
          violations.add("the backup " + path + " [" + stored.sha256().substring(0, 8) + "] was " + (now == null ? "removed" : "replaced"));
        }
      });
      Map<String, Integer> was = before.copies();
      after.copies().forEach((content, copies) -> {
        int allowed = was.getOrDefault(content, 0) + (mayGoUp(content) ? 1 : 0);
        if (copies > allowed) {
          violations.add(copies + " copies of " + describe(content) + " on the target (" + after.pathsOf(content) + "), at most " + allowed + " allowed");
        }
      });
      return violations;
    }

    /** After a run that was not killed: its exit, summary and lines against the model. */
    List<String> checkCompleted(int exit, List<String> stdout, TargetView after) {
      List<String> violations = new ArrayList<>();
      if (exit != 0) {
        violations.add("exit code " + exit + ", expected 0");
      }
      List<String> summaries = stdout.stream().filter(line -> line.startsWith("summary: ")).toList();
      if (summaries.size() != 1) {
        violations.add(summaries.size() + " summary lines, expected 1");
        return violations;
      }
      RunSummary summary = RunSummary.parse(summaries.get(0));
      int files = source.size();
      expect(violations, "files", summary.files(), files);
      expect(violations, "backed-up", summary.backedUp(), files);
      expect(violations, "uploaded + already", summary.uploaded() + summary.already(), files);
      expect(violations, "skipped", summary.skipped(), 0);
      expect(violations, "failed", summary.failed(), 0);
      int mayAlsoGoUp = mayRepeat.size() + lostWhileKnown.size();
      if (summary.uploaded() < fresh.size() || summary.uploaded() > fresh.size() + mayAlsoGoUp) {
        violations.add("uploaded=" + summary.uploaded() + ", expected " + fresh.size()
            + (mayAlsoGoUp == 0 ? "" : " to " + (fresh.size() + mayAlsoGoUp))
            + "; the target lacked " + describeAll(fresh) + (mayRepeat.isEmpty() ? "" : ", may repeat " + describeAll(mayRepeat)));
      }
      int gained = after.files().size() - before.files().size();
      if (gained > summary.uploaded() || (!killedSinceCompleted && gained != summary.uploaded())) {
        violations.add("the target gained " + gained + " files, the run reported uploaded=" + summary.uploaded());
      }
      source.forEach((path, content) -> {
        fileChecks++;
        if (after.pathsOf(content.sha256()).isEmpty() && !lostWhileKnown.contains(content.sha256())) {
          violations.add(path + " [" + content.label() + "]: its content is not on the target");
        }
      });
      checkLines(stdout, after, summary, violations);
      return violations;
    }

    /** Each {@code uploaded} or {@code already-on-target} line names a file of the source once, whose content is now on the target. */
    private void checkLines(List<String> stdout, TargetView after, RunSummary summary, List<String> violations) {
      Set<String> reported = new HashSet<>();
      Set<String> uploadedContents = new HashSet<>();
      int uploadedLines = 0;
      for (String line : stdout) {
        Matcher uploaded = UPLOADED.matcher(line);
        boolean upload = uploaded.matches();
        if (!upload && !line.startsWith(ALREADY)) {
          continue;
        }
        fileChecks++;
        String path = upload ? uploaded.group(1) : sourcePathOf(line.substring(ALREADY.length()));
        Content content = source.get(path);
        if (content == null) {
          violations.add("'" + line + "' names no file of the source");
          continue;
        }
        String sha256 = content.sha256();
        if (!reported.add(path)) {
          violations.add("'" + line + "': " + path + " reported twice");
        }
        if (after.pathsOf(sha256).isEmpty() && !lostWhileKnown.contains(sha256)) {
          violations.add("'" + line + "': its content [" + content.label() + "] is not on the target");
        }
        if (!upload) {
          continue;
        }
        uploadedLines++;
        if (!mayGoUp(sha256)) {
          violations.add("'" + line + "': its content [" + content.label() + "] was on the target already, at " + before.pathsOf(sha256));
        }
        if (!uploadedContents.add(sha256)) {
          violations.add("'" + line + "': its content [" + content.label() + "] went up twice in this run");
        }
        if (Long.parseLong(uploaded.group(2)) != content.size()) {
          violations.add("'" + line + "': the file has " + content.size() + " bytes");
        }
        if (!atAPlaceOf(after, path, sha256)) {
          violations.add("'" + line + "': its content [" + content.label() + "] is neither at " + path + " nor at "
              + keepBothPath(path, sha256) + " nor at " + keepBothPathAgain(path, sha256));
        }
      }
      if (uploadedLines != summary.uploaded()) {
        violations.add(uploadedLines + " uploaded lines, but the summary says uploaded=" + summary.uploaded());
      }
    }

    void killed(TargetView after) {
      learn(after);
      killedSinceCompleted = true;
    }

    void completed(TargetView after) {
      learn(after);
      source.values().forEach(content -> surelyKnown.add(content.sha256()));
      killedSinceCompleted = false;
    }

    /**
     * The source's files whose content the target no longer holds after this completed run: each
     * a backup another client removed that the journal still counts, which {@code verify} must
     * name. By path, with the content.
     */
    Map<String, Content> lostBehindTheJournal(TargetView after) {
      Map<String, Content> lost = new TreeMap<>();
      source.forEach((path, content) -> {
        if (after.pathsOf(content.sha256()).isEmpty()) {
          lost.put(path, content);
        }
      });
      return lost;
    }

    /** The source's files whose content is at their own path or a keep-both name: {@code verify} finds them. */
    Set<String> inPlace(TargetView after) {
      Set<String> found = new TreeSet<>();
      source.forEach((path, content) -> {
        if (atAPlaceOf(after, path, content.sha256())) {
          found.add(path);
        }
      });
      return found;
    }

    private void learn(TargetView after) {
      source.values().stream().map(Content::sha256).filter(sha256 -> !after.pathsOf(sha256).isEmpty()).forEach(mayKnow::add);
    }

    private boolean mayGoUp(String content) {
      return fresh.contains(content) || mayRepeat.contains(content) || lostWhileKnown.contains(content);
    }

    private Map<String, List<String>> filesByContent() {
      Map<String, List<String>> files = new TreeMap<>();
      source.forEach((path, content) -> files.computeIfAbsent(content.sha256(), c -> new ArrayList<>()).add(path));
      return files;
    }

    private String describe(String content) {
      List<String> paths = filesByContent().getOrDefault(content, List.of());
      return "[" + content.substring(0, 8) + "]" + (paths.isEmpty() ? " (in no source file)" : " of " + String.join(", ", paths));
    }

    private String describeAll(Set<String> contents) {
      return contents.stream().map(this::describe).toList().toString();
    }
  }

  private static String sha256At(TargetView target, String path) {
    TargetView.Stored stored = target.files().get(path);
    return stored == null ? "" : stored.sha256();
  }

  private static void expect(List<String> violations, String what, long actual, long expected) {
    if (actual != expected) {
      violations.add(what + "=" + actual + ", expected " + expected);
    }
  }

  /** {@code <path> -> <remote path>}, or a copy's {@code <path>} alone: the path. */
  private static String sourcePathOf(String alreadyLine) {
    int arrow = alreadyLine.indexOf(" -> ");
    return arrow < 0 ? alreadyLine : alreadyLine.substring(0, arrow);
  }
}

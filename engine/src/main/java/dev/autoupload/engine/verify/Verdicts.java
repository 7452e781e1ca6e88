package dev.autoupload.engine.verify;

import dev.autoupload.engine.library.RemoteLayout;
import dev.autoupload.engine.verify.FileVerdict.Mark;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a file is backed up, decided from what was read here and what the target told: pure
 * functions, so every verdict and its reason follows from its inputs alone.
 *
 * <p>A place on the target holds the same content when the sizes are equal, at least one hash
 * could be compared, and every hash compared is equal (the sha256 of the bytes read back, the
 * sha256 the target reports, its MD5). Different sizes, or any hash that differs, mean other
 * content. A file is {@link Mark#SAME} when any of its places holds its content; else {@link
 * Mark#UNCHECKED} when any place could not be checked, as the file may be there; else what the
 * first place, where its backup should be, holds: other content ({@link Mark#DIFFERS}) or
 * nothing ({@link Mark#MISSING}).
 */
public final class Verdicts {

  private static final int HASH_SHOWN = 16;

  private Verdicts() {}

  /** The file in the library, as verify read it. */
  public sealed interface Local {

    /** Its size and sha256; its MD5 where it was computed. Hashes are lowercase hex. */
    record Read(long size, String sha256, Optional<String> md5) implements Local {}

    /** It could not be read; {@code reason} says why. */
    record Unreadable(String reason) implements Local {}
  }

  /** What one place on the target holds, as far as the target tells. */
  public sealed interface Remote {

    /** Nothing. */
    record Absent() implements Remote {}

    /** Only an upload that has not finished, {@code offset} bytes long. */
    record Unfinished(long offset) implements Remote {}

    /**
     * A finished file: its size, the hashes the target reports, and {@code readBack}, the sha256 of
     * its bytes where they were read back.
     */
    record Stored(long size, Optional<String> sha256, Optional<String> md5, Optional<String> readBack)
        implements Remote {}

    /** Asking the target failed; {@code reason} says how. */
    record Failed(String reason) implements Remote {}

    /** The target cannot look the place up at all; {@code reason} says why. */
    record Unknowable(String reason) implements Remote {}
  }

  /** A remote path and what it holds. */
  public record Place(String remotePath, Remote remote) {}

  /** What one place says about one file; for {@link Mark#SAME}, and only then, the evidence. */
  public record Judgement(Mark mark, String reason, Optional<Proof.Evidence> evidence) {

    /**
     * A judgement other than {@link Mark#SAME}.
     *
     * @param mark the verdict; not {@link Mark#SAME}
     * @param reason why, in words fit for the user
     */
    public Judgement(Mark mark, String reason) {
      this(mark, reason, Optional.empty());
    }

    /**
     * Checks the components.
     *
     * @param mark the verdict
     * @param reason why, in words fit for the user
     * @param evidence what proved it; present exactly for {@link Mark#SAME}
     * @throws IllegalArgumentException when {@code evidence} does not match {@code mark}
     */
    public Judgement {
      if ((mark == Mark.SAME) != evidence.isPresent()) {
        throw new IllegalArgumentException("a judgement has evidence exactly when it is SAME: " + mark);
      }
    }
  }

  /**
   * Where the backup of a file with content {@code sha256} may be, the place it should be first:
   * the remote path the journal recorded for its content, its layout path, and the keep-both paths
   * beside that (the first, then the longer one), each once.
   *
   * @param recorded the remote path the journal recorded for the content; empty when none
   * @param layoutPath where the layout puts the file
   * @param sha256 lowercase hex sha256 of the file's content
   * @return the paths to look at, the expected one first, without repeats
   */
  public static List<String> places(Optional<String> recorded, String layoutPath, String sha256) {
    Set<String> places = new LinkedHashSet<>();
    recorded.ifPresent(places::add);
    places.add(layoutPath);
    places.add(RemoteLayout.keepBothPath(layoutPath, sha256));
    places.add(RemoteLayout.keepBothPathAgain(layoutPath, sha256));
    return List.copyOf(places);
  }

  /**
   * Whether {@code place} holds the content {@code local} read.
   *
   * @param local the file as read here
   * @param place a remote path and what it holds
   * @return the judgement, with its reason
   */
  public static Judgement judge(Local.Read local, Place place) {
    String at = place.remotePath();
    Remote remote = place.remote();
    if (remote instanceof Remote.Absent) {
      return new Judgement(Mark.MISSING, "not on the target at " + at);
    }
    if (remote instanceof Remote.Unfinished unfinished) {
      return new Judgement(
          Mark.MISSING, "only an unfinished upload at " + at + " (" + unfinished.offset() + " bytes)");
    }
    if (remote instanceof Remote.Failed failed) {
      return new Judgement(Mark.UNCHECKED, "the target failed on " + at + ": " + failed.reason());
    }
    if (remote instanceof Remote.Unknowable unknowable) {
      return new Judgement(Mark.UNCHECKED, unknowable.reason());
    }
    Remote.Stored stored = (Remote.Stored) remote;
    if (stored.size() != local.size()) {
      return new Judgement(
          Mark.DIFFERS,
          at + " holds other content: " + stored.size() + " bytes there, " + local.size() + " here");
    }
    List<Proof.Evidence> equal = new ArrayList<>();
    List<String> different = new ArrayList<>();
    compare(Proof.Evidence.SHA256_READ_BACK, stored.readBack(), Optional.of(local.sha256()), equal, different);
    compare(Proof.Evidence.SHA256_REPORTED, stored.sha256(), Optional.of(local.sha256()), equal, different);
    compare(Proof.Evidence.MD5_REPORTED, stored.md5(), local.md5(), equal, different);
    if (!different.isEmpty()) {
      return new Judgement(
          Mark.DIFFERS,
          at + " holds other content of the same size (" + local.size() + " bytes): " + String.join(", ", different));
    }
    if (!equal.isEmpty()) {
      // The strongest evidence is named; the others agree, or the target does not tell them.
      return new Judgement(Mark.SAME, at + " has the same size and " + named(equal.get(0)), Optional.of(equal.get(0)));
    }
    if (stored.md5().isPresent()) {
      return new Judgement(Mark.UNCHECKED, at + " has the same size; the target tells only its MD5, not known here");
    }
    return new Judgement(
        Mark.UNCHECKED, at + " has the same size, but the target tells no hash of it and cannot read it back");
  }

  private static void compare(
      Proof.Evidence what,
      Optional<String> there,
      Optional<String> here,
      List<Proof.Evidence> equal,
      List<String> different) {
    if (there.isEmpty() || here.isEmpty()) {
      return;
    }
    if (there.get().equalsIgnoreCase(here.get())) {
      equal.add(what);
    } else {
      different.add(named(what) + " " + shown(there.get()) + " there, " + shown(here.get()) + " here");
    }
  }

  private static String named(Proof.Evidence evidence) {
    return switch (evidence) {
      case SHA256_READ_BACK -> "sha256 (read back)";
      case SHA256_REPORTED -> "sha256";
      case MD5_REPORTED -> "MD5";
    };
  }

  private static String shown(String hash) {
    return hash.length() <= HASH_SHOWN ? hash : hash.substring(0, HASH_SHOWN) + "…";
  }

  /**
   * The verdict on the file at {@code path}, from what was read here and what {@code places} hold,
   * the place its backup should be first (see the class comment). A file that could not be read
   * here is {@link Mark#UNCHECKED} whatever the places hold.
   *
   * @param path the file's path in the library
   * @param local what was read here
   * @param places the places looked at, the expected one first
   * @return the verdict
   * @throws IllegalArgumentException when the file was read and no place was looked at
   */
  public static FileVerdict verdict(String path, Local local, List<Place> places) {
    if (local instanceof Local.Unreadable unreadable) {
      return new FileVerdict(path, Mark.UNCHECKED, Optional.empty(), "cannot read it here: " + unreadable.reason());
    }
    if (places.isEmpty()) {
      throw new IllegalArgumentException("no place on the target was looked at for " + path);
    }
    Local.Read read = (Local.Read) local;
    List<Judgement> judged = places.stream().map(place -> judge(read, place)).toList();
    int chosen = indexOf(judged, Mark.SAME);
    if (chosen < 0) {
      chosen = Math.max(0, indexOf(judged, Mark.UNCHECKED));
    }
    Judgement judgement = judged.get(chosen);
    return new FileVerdict(
        path,
        judgement.mark(),
        Optional.of(places.get(chosen).remotePath()),
        judgement.reason(),
        judgement.evidence().map(evidence -> new Proof(evidence, read.sha256())));
  }

  private static int indexOf(List<Judgement> judged, Mark mark) {
    for (int i = 0; i < judged.size(); i++) {
      if (judged.get(i).mark() == mark) {
        return i;
      }
    }
    return -1;
  }
}

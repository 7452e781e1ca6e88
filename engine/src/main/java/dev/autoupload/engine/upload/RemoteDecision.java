package dev.autoupload.engine.upload;

import dev.autoupload.engine.library.RemoteLayout;

/**
 * What an upload does about the finished file it found under its remote path: a pure function of
 * what the target reports, the source's hashes and the conflict policy. Every answer names its
 * reason, which the journal and the Activity view keep. Nothing is ever overwritten silently.
 */
public sealed interface RemoteDecision {

  /** {@return the reason in plain words}, for the journal and the Activity view. */
  String reason();

  /** The target holds this very content: backed up without a byte sent. */
  record AlreadyThere(String reason) implements RemoteDecision {}

  /**
   * Upload this one beside the other, under {@code remotePath} (see {@link RemoteLayout#keepBothPath},
   * and {@link RemoteLayout#keepBothPathAgain} when that is taken too).
   */
  record KeepBoth(String remotePath, String reason) implements RemoteDecision {}

  /** Upload this one over the other ({@code on-conflict = overwrite}), recording what goes. */
  record Replace(String reason) implements RemoteDecision {}

  /** Leave this asset out ({@code on-conflict = skip}): it is not backed up, and says why. */
  record Decline(String reason) implements RemoteDecision {}

  /** Nothing safe is left to do: the asset fails with this reason until the user acts. */
  record Conflict(String reason) implements RemoteDecision {}

  /**
   * What an upload knows when it finds a finished file under its path.
   *
   * @param remotePath where it looked: the planned path, or one of its keep-both names
   * @param plannedPath the path the layout gave the asset
   * @param atKeepBothPath whether {@code remotePath} is already a keep-both name (the first, or the
   *     longer one after it), then taken too
   * @param size the source's size
   * @param sha256 the source's sha256, lowercase hex
   * @param md5 the source's MD5, lowercase hex, when the target reports only that; else null
   * @param remote what the target holds there
   * @param policy what the settings say to do about a different file
   * @param mayHoldBackup whether that file may be the backup of an asset of the library
   */
  record Found(
      String remotePath,
      String plannedPath,
      boolean atKeepBothPath,
      long size,
      String sha256,
      String md5,
      RemoteState.Complete remote,
      ConflictPolicy policy,
      boolean mayHoldBackup) {}

  /**
   * Decides. The strongest hash the target knows compares (sha256, else MD5); a file of another
   * size differs whatever its hash. Of the same size and without any hash, "same" cannot be told,
   * and keeping both could duplicate the very same photo, so it is a conflict unless overwrite may
   * replace it. A file that may be the backup of another asset of the library ({@code
   * mayHoldBackup}) is never replaced: both are kept.
   *
   * @param found what the upload knows
   * @return what to do, with its reason
   */
  static RemoteDecision decide(Found found) {
    RemoteState.Complete remote = found.remote();
    boolean same =
        remote.size() == found.size()
            && remote
                .sha256()
                .map(sha -> sha.equalsIgnoreCase(found.sha256()))
                .or(() -> remote.md5().map(md5 -> found.md5() != null && md5.equalsIgnoreCase(found.md5())))
                .orElse(false);
    if (same) {
      return new AlreadyThere("the target already holds this content at " + found.remotePath());
    }
    boolean replaceable = found.policy() == ConflictPolicy.OVERWRITE && !found.mayHoldBackup();
    // Of another size it differs, whatever its hash; of the same size only a hash can tell.
    if (!remote.hasHash() && remote.size() == found.size()) {
      String why = "a file already exists at " + found.remotePath() + " and the target cannot tell its hash";
      return replaceable
          ? new Replace(why + "; replacing it (on-conflict = overwrite)")
          : new Conflict(why);
    }
    String why = "a different file already exists at " + found.remotePath();
    if (found.policy() == ConflictPolicy.SKIP) {
      return new Decline(why + "; skipped (on-conflict = skip)");
    }
    if (replaceable) {
      return new Replace(why + "; replacing it (on-conflict = overwrite)");
    }
    String keeping =
        found.policy() == ConflictPolicy.OVERWRITE
            ? "; it is the backup of another asset, which overwrite never replaces: keeping both"
            : "; keeping both";
    if (!found.atKeepBothPath()) {
      return new KeepBoth(RemoteLayout.keepBothPath(found.plannedPath(), found.sha256()), why + keeping);
    }
    // The keep-both name is taken too (another client edited a kept copy): once more, with a
    // longer suffix; taken as well, nothing safe is left.
    String again = RemoteLayout.keepBothPathAgain(found.plannedPath(), found.sha256());
    if (found.remotePath().equals(again)) {
      return new Conflict(why);
    }
    return new KeepBoth(again, why + keeping + " under a longer name");
  }
}

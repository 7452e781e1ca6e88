package dev.autoupload.engine.upload;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Where assets go: a folder, WebDAV, tus, S3, Koofr. Implementations must be safe to call from
 * several threads at once, each on a different remote path; every remote path is confined under
 * the target's root.
 *
 * <p>Calls block; the engine makes them from a dedicated blocking-I/O dispatcher.
 */
public interface UploadTarget extends AutoCloseable {

  /** {@return a short human description for logs and status}; never contains credentials. */
  String describe();

  /**
   * Asks what the target holds under {@code remotePath}.
   *
   * @param remotePath the path under the target's root, '/'-separated
   * @return what is there: nothing, a partial upload or a finished file
   * @throws UploadException when the target cannot answer; its {@link UploadError} says whether to retry
   */
  RemoteState probe(String remotePath) throws UploadException;

  /**
   * As {@link #probe(String)}, for an upload an earlier session described with {@code
   * resumeToken} (see {@link UploadSession#resumeToken()}). Targets whose partial uploads cannot be
   * found by path alone (tus) use the token; the others ignore it.
   *
   * @param remotePath the path under the target's root, '/'-separated
   * @param resumeToken the token an earlier session gave; empty when none
   * @return what is there: nothing, a partial upload or a finished file
   * @throws UploadException when the target cannot answer; its {@link UploadError} says whether to retry
   */
  default RemoteState probe(String remotePath, Optional<String> resumeToken) throws UploadException {
    return probe(remotePath);
  }

  /**
   * Opens an upload of {@code size} bytes to {@code remotePath}, continuing a partial upload where
   * the target keeps one (the session's {@link UploadSession#offset()} tells where).
   *
   * @param remotePath the path under the target's root, '/'-separated
   * @param size the file's length in bytes
   * @return the session, positioned where the upload continues
   * @throws UploadException when the target cannot answer; its {@link UploadError} says whether to retry
   */
  UploadSession open(String remotePath, long size) throws UploadException;

  /**
   * As {@link #open(String, long)}, continuing the upload {@code resumeToken} names when the
   * target still has it. A token the target no longer knows is not an error: the upload then
   * starts over (or continues whatever the target finds by path).
   *
   * @param remotePath the path under the target's root, '/'-separated
   * @param size the file's length in bytes
   * @param resumeToken the token an earlier session gave; empty when none
   * @return the session, positioned where the upload continues
   * @throws UploadException when the target cannot answer; its {@link UploadError} says whether to retry
   */
  default UploadSession open(String remotePath, long size, Optional<String> resumeToken)
      throws UploadException {
    return open(remotePath, size);
  }

  /**
   * As {@link #open(String, long, Optional)}, for an upload that is to replace the file now under
   * {@code remotePath} ({@code on-conflict = overwrite}): the session publishes over it instead of
   * refusing with {@link UploadError.Conflict}. Until {@link UploadSession#complete} the file there
   * stays untouched, and a failed or interrupted upload leaves it as it was; the replacement itself
   * is atomic where the target can make it so (a rename, a server-side move). The engine decides
   * which file may go and checks, just before completing, that it is still the one there.
   *
   * <p>Targets without names to replace (tus) open a plain upload.
   *
   * @param remotePath the path under the target's root, '/'-separated
   * @param size the file's length in bytes
   * @param resumeToken the token an earlier session gave; empty when none
   * @return the session, positioned where the upload continues
   * @throws UploadException as {@code open} does; by default always, with a {@link UploadError.Permanent} error, for targets that cannot replace
   */
  default UploadSession openReplacing(String remotePath, long size, Optional<String> resumeToken)
      throws UploadException {
    throw new UploadException(
        new UploadError.Permanent(
            describe() + " cannot replace files; set autoupload.upload.on-conflict to keep-both or skip"));
  }

  /**
   * Whether this target does less work for an upload of {@code size} bytes when it knows the
   * file's sha256 before the first byte (see {@link #openKnowing}): S3 then stores the hash with
   * the multipart upload it creates, instead of copying the finished object onto itself to attach
   * it. The engine then reads the file once more, locally, to hash it before sending it. Answers at
   * once, without asking the server. By default false.
   *
   * @param size the file's length in bytes
   * @return true when the engine should open the upload with {@link #openKnowing}
   */
  default boolean wantsSha256First(long size) {
    return false;
  }

  /**
   * As {@link #open(String, long, Optional)}, or {@link #openReplacing} when {@code replace}, for
   * a file whose sha256 the engine knows before sending it. The session may store the hash with
   * the file as it creates it; it still publishes only bytes whose sha256, given to {@link
   * UploadSession#complete}, is this one. By default the hash is not used.
   *
   * @param remotePath the path under the target's root, '/'-separated
   * @param size the file's length in bytes
   * @param resumeToken the token an earlier session gave; empty when none
   * @param replace whether the upload is to replace the file now under {@code remotePath}
   * @param sha256 lowercase hex sha256 of the file's content
   * @return the session, positioned where the upload continues
   * @throws UploadException as {@code open} and {@code openReplacing} do
   */
  default UploadSession openKnowing(
      String remotePath, long size, Optional<String> resumeToken, boolean replace, String sha256)
      throws UploadException {
    return replace ? openReplacing(remotePath, size, resumeToken) : open(remotePath, size, resumeToken);
  }

  /**
   * Removes what unfinished uploads to {@code remotePath} left on the target: the hidden part file,
   * a chunk folder, a multipart upload, the upload {@code resumeToken} names. A later {@link #open}
   * then starts from nothing instead of continuing bytes that belong to no file any more (the
   * source changed or vanished mid-upload, or was left out). A finished file under the name is
   * never touched, and nothing to remove is no error. The engine calls it with no session open on
   * the path.
   *
   * @param remotePath the path under the target's root, '/'-separated
   * @param resumeToken the token an earlier session gave; empty when none
   * @throws UploadException when the target cannot be asked (unreachable, refusing); what was left
   *     then stays, and the engine asks again the next time it meets it
   */
  void discard(String remotePath, Optional<String> resumeToken) throws UploadException;

  /**
   * What the target cannot store in a name, which the layout escapes before any upload (see {@link
   * NameRules}). Answers at once, without asking the server: the engine calls it for every upload
   * it starts. By default {@link NameRules#POSIX}.
   *
   * @return the target's naming rules
   */
  default NameRules nameRules() {
    return NameRules.POSIX;
  }

  /**
   * Whether {@link #probe(String)} finds a finished file by its remote path alone, so that {@code
   * verify} can ask what is stored under a name. Not so for tus, whose uploads are known only by
   * the URL the server gave them.
   *
   * @return true when files are found by name; by default true
   */
  default boolean findsFilesByName() {
    return true;
  }

  /**
   * Opens the finished file under {@code remotePath} to read it back from its first byte, for
   * {@code verify} where the target tells no hash, or where the user asks for every file to be read
   * back. The caller closes the stream; a failure while reading is an {@link java.io.IOException}
   * from it.
   *
   * @param remotePath the path under the target's root, '/'-separated
   * @return empty when this target cannot read files back
   * @throws UploadException when it can, but not this file: gone, refused, unreachable
   */
  default Optional<InputStream> openRead(String remotePath) throws UploadException {
    return Optional.empty();
  }

  /**
   * What the target changed about how it works since it was opened, and why, each once, in words
   * for the status (e.g. that the server refuses a header and files are checked another way).
   * Called often, on an engine thread: it must return at once. By default none.
   *
   * @return the notes, oldest first; empty when none
   */
  default List<String> notes() {
    return List.of();
  }

  /**
   * Checks that the target is reachable and writable, so a bad target fails before any upload.
   *
   * @throws UploadException naming what is wrong (unreachable, not authorized, not writable, full)
   */
  void check() throws UploadException;

  @Override
  default void close() {}
}

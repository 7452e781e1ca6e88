package dev.autoupload.engine;

import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.Verdict;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.watchdog.Stall;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A snapshot of the whole engine.
 *
 * @param verdict whether the device's conditions let uploads run, and every reason that applies
 * @param conditions the device's conditions as last reported; empty until the first report when
 *     the engine started without initial conditions
 * @param libraries each library's progress, with its own reasons added (a full target, say)
 * @param stalls the libraries the watchdog finds stalled, by library id
 */
public record EngineStatus(
    Verdict verdict, Optional<DeviceConditions> conditions, List<LibraryStatus> libraries, Map<String, Stall> stalls) {

  /**
   * Copies {@code stalls}, so the status stays as it was when asked.
   *
   * @param verdict whether uploads may run, and why not
   * @param conditions the device's conditions as last reported
   * @param libraries each library's progress
   * @param stalls the stalled libraries, by library id
   */
  public EngineStatus {
    stalls = Map.copyOf(stalls);
  }

  /**
   * A status with no stall.
   *
   * @param verdict whether uploads may run, and why not
   * @param conditions the device's conditions as last reported
   * @param libraries each library's progress
   */
  public EngineStatus(Verdict verdict, DeviceConditions conditions, List<LibraryStatus> libraries) {
    this(verdict, Optional.of(conditions), libraries, Map.of());
  }

  /**
   * The library's stall, while it is stalled.
   *
   * @param libraryId the library's id
   * @return the stall; empty while the library is not stalled
   */
  public Optional<Stall> stall(String libraryId) {
    return Optional.ofNullable(stalls.get(libraryId));
  }

  /**
   * Why uploads are waiting or slowed engine-wide.
   *
   * @return the verdict's reasons; empty while uploads run freely
   */
  public Set<BlockerReason> reasons() {
    return verdict.reasons();
  }

  /**
   * Whether every library has finished its scan and has nothing left to do (see {@link
   * LibraryStatus#idle()}); what {@link UploadEngine#awaitIdle()} waits for.
   *
   * @return true when idle; true as well with no library
   */
  public boolean idle() {
    return libraries.stream().allMatch(LibraryStatus::idle);
  }

  /**
   * Assets the libraries' scans found in this run.
   *
   * @return their number
   */
  public long discovered() {
    return libraries.stream().mapToLong(LibraryStatus::discovered).sum();
  }

  /**
   * Assets that are on the target: completed now or by an earlier run.
   *
   * @return their number
   */
  public long backedUp() {
    return libraries.stream().mapToLong(l -> l.alreadyBackedUp() + l.completed()).sum();
  }

  /**
   * Assets that failed for good in this run (see each library's {@code failures}).
   *
   * @return their number
   */
  public long failed() {
    return libraries.stream().mapToLong(LibraryStatus::failed).sum();
  }

  /**
   * Assets given up on for a reason that is not an error (see each library's {@code notBackedUp}).
   *
   * @return their number
   */
  public long skipped() {
    return libraries.stream().mapToLong(LibraryStatus::skipped).sum();
  }

  /**
   * Assets found that {@code only-since} left out: never offered.
   *
   * @return their number
   */
  public long leftOutByOnlySince() {
    return libraries.stream().mapToLong(LibraryStatus::leftOutByOnlySince).sum();
  }

  /**
   * Files the sources' last whole scans found and did not offer for a rule of their own (a
   * folder's files that are no photo or video by extension): never offered.
   *
   * @return their number
   */
  public long notOffered() {
    return libraries.stream().mapToLong(library -> library.notOffered().files()).sum();
  }

  /**
   * Total size of the assets this run has to upload.
   *
   * @return bytes
   */
  public long bytesToUpload() {
    return libraries.stream().mapToLong(LibraryStatus::bytesToUpload).sum();
  }

  /**
   * Bytes of the assets this run has to upload that are safely on the target.
   *
   * @return bytes
   */
  public long bytesDone() {
    return libraries.stream().mapToLong(LibraryStatus::bytesDone).sum();
  }

  /**
   * Bytes sent over the wire in this run, resends included.
   *
   * @return bytes
   */
  public long bytesSent() {
    return libraries.stream().mapToLong(LibraryStatus::bytesSent).sum();
  }
}

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
 * @param conditions the device's conditions as last reported
 * @param libraries each library's progress, with its own reasons added (a full target, say)
 * @param stalls the libraries the watchdog finds stalled, by library id
 */
public record EngineStatus(
    Verdict verdict, DeviceConditions conditions, List<LibraryStatus> libraries, Map<String, Stall> stalls) {

  public EngineStatus {
    stalls = Map.copyOf(stalls);
  }

  /** A status with no stall. */
  public EngineStatus(Verdict verdict, DeviceConditions conditions, List<LibraryStatus> libraries) {
    this(verdict, conditions, libraries, Map.of());
  }

  /** The library's stall, while it is stalled. */
  public Optional<Stall> stall(String libraryId) {
    return Optional.ofNullable(stalls.get(libraryId));
  }

  /** Why uploads are waiting or slowed engine-wide; empty while they run freely. */
  public Set<BlockerReason> reasons() {
    return verdict.reasons();
  }

  /** True when every library has finished its scan and has nothing left to do. */
  public boolean idle() {
    return libraries.stream().allMatch(LibraryStatus::idle);
  }

  public long discovered() {
    return libraries.stream().mapToLong(LibraryStatus::discovered).sum();
  }

  /** Assets that are on the target: completed now or by an earlier run. */
  public long backedUp() {
    return libraries.stream().mapToLong(l -> l.alreadyBackedUp() + l.completed()).sum();
  }

  public long failed() {
    return libraries.stream().mapToLong(LibraryStatus::failed).sum();
  }

  public long skipped() {
    return libraries.stream().mapToLong(LibraryStatus::skipped).sum();
  }

  /** Assets found that {@code only-since} left out: never offered. */
  public long leftOutByOnlySince() {
    return libraries.stream().mapToLong(LibraryStatus::leftOutByOnlySince).sum();
  }

  public long bytesToUpload() {
    return libraries.stream().mapToLong(LibraryStatus::bytesToUpload).sum();
  }

  public long bytesDone() {
    return libraries.stream().mapToLong(LibraryStatus::bytesDone).sum();
  }

  public long bytesSent() {
    return libraries.stream().mapToLong(LibraryStatus::bytesSent).sum();
  }
}

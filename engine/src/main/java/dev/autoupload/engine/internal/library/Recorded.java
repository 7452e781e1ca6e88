package dev.autoupload.engine.internal.library;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link BackupSupervisor}'s state: its {@link Ledger}, and the latest events in order, those the
 * {@link LedgerTable} may not hold yet. Pure: where the table stands ({@code tableThrough}, the
 * table holds every fact of the events up to it) is the caller's to tell.
 *
 * <p>The overlay holds the events {@code base + 1} to {@code base + overlay.size()}. When the
 * table stands before {@code base}, the events up to {@code base} are neither in the overlay nor
 * surely in the table: then the table needs the whole ledger as of {@code base} written, at {@code
 * base}, and until then a snapshot holds that ledger. That is so after a snapshot of the old form
 * (the whole ledger), and after an overlay grew past its cap (a long replay without a snapshot, a
 * table that cannot be written). Written at {@code base} rather than at the latest event, so a
 * write cut short by a stop goes on at the next start instead of starting over: a million rows.
 */
final class Recorded {

  /** The position of the events after a snapshot that held the whole ledger: not known. */
  private static final long UNKNOWN = Long.MAX_VALUE;

  /** How much longer the overlay may grow while the whole ledger as of its base is due. */
  private static final long WHOLE_DUE_CAP_FACTOR = 4;

  private static final Recorded EMPTY = new Recorded(Ledger.empty(), 0, PersistentMap.empty(), Optional.empty());

  private final Ledger ledger;
  private final long base;
  /** By sequence number; a persistent map, so a long replay does not copy it at each event. */
  private final PersistentMap<Long, BackupSupervisor.AssetBackedUp> overlay;
  /**
   * The ledger as of {@code base}, while the table may lack it; shares all but the overlay's facts
   * with {@code ledger}.
   */
  private final Optional<Ledger> wholeAtBase;

  private Recorded(
      Ledger ledger,
      long base,
      PersistentMap<Long, BackupSupervisor.AssetBackedUp> overlay,
      Optional<Ledger> wholeAtBase) {
    this.ledger = ledger;
    this.base = base;
    this.overlay = overlay;
    this.wholeAtBase = wholeAtBase;
  }

  static Recorded empty() {
    return EMPTY;
  }

  /**
   * From a stored snapshot: a {@link LedgerSnapshot} over {@code table} (the table's rows as they
   * are now, which may be ahead of the snapshot) or over the whole ledger it holds, or a whole
   * {@link Ledger} as snapshots held before, whose sequence number the first event after it tells.
   */
  static Recorded fromSnapshot(Object stored, Ledger table) {
    if (stored instanceof LedgerSnapshot snapshot) {
      Ledger ledger = snapshot.wholeDue().orElse(table);
      PersistentMap<Long, BackupSupervisor.AssetBackedUp> overlay = PersistentMap.empty();
      long seqNr = snapshot.tableThrough();
      for (BackupSupervisor.AssetBackedUp event : snapshot.overlay()) {
        ledger = ledger.with(event);
        overlay = overlay.with(++seqNr, event);
      }
      return new Recorded(ledger, snapshot.tableThrough(), overlay, snapshot.wholeDue());
    }
    Ledger whole = (Ledger) stored;
    return new Recorded(whole, UNKNOWN, PersistentMap.empty(), Optional.of(whole));
  }

  /**
   * Where the table stands at a recovery from a stored snapshot: where the snapshot says it stood,
   * or further when its event rows go further ({@link LedgerTable#eventsThrough}): a snapshot taken
   * while a write was under way, or a write whose end a stop cut off. 0 when the snapshot holds a
   * whole ledger, which the table may lack: that ledger's write goes on first.
   */
  static long tableThrough(Object stored, long eventsThrough) {
    return stored instanceof LedgerSnapshot snapshot && snapshot.wholeDue().isEmpty()
        ? Math.max(snapshot.tableThrough(), eventsThrough)
        : 0;
  }

  /** Whether a stored snapshot holds a whole ledger, of the old form or as of where the table was to stand. */
  static boolean holdsAWholeLedger(Object stored) {
    return !(stored instanceof LedgerSnapshot snapshot) || snapshot.wholeDue().isPresent();
  }

  Ledger ledger() {
    return ledger;
  }

  /**
   * With the event of sequence number {@code seqNr}, the overlay without what the table holds; an
   * overlay longer than {@code cap} is let go, the whole ledger then due to the table. While the
   * whole ledger as of the base is due already, four times as long: snapshots hold that ledger
   * anyway, and letting the overlay go would move the due write on to a new base, so that a write
   * cut short after a long replay (its overlay nearly full) started over at the next start instead
   * of going on.
   */
  Recorded with(BackupSupervisor.AssetBackedUp event, long seqNr, long tableThrough, long cap) {
    return with(event, seqNr, tableThrough, cap, Ledger.FOLD_AT_LEAST);
  }

  /** As {@link #with(BackupSupervisor.AssetBackedUp, long, long, long)}, folding as {@link Ledger#settled} says. */
  Recorded with(BackupSupervisor.AssetBackedUp event, long seqNr, long tableThrough, long cap, int foldAtLeast) {
    long nextBase = overlay.isEmpty() ? seqNr - 1 : base;
    PersistentMap<Long, BackupSupervisor.AssetBackedUp> next = overlay;
    while (nextBase < tableThrough && !next.isEmpty()) {
      next = next.without(++nextBase);
    }
    next = next.with(seqNr, event);
    // Not while the whole ledger as of the base is due: it shares all but the overlay's facts with
    // this one, and a new base would hold them twice.
    Ledger after = wholeAtBase.isPresent() ? ledger.with(event) : ledger.with(event).settled(foldAtLeast);
    long longest = wholeAtBase.isPresent() && cap < Long.MAX_VALUE / WHOLE_DUE_CAP_FACTOR ? WHOLE_DUE_CAP_FACTOR * cap : cap;
    if (next.size() > longest) {
      return new Recorded(after, seqNr, PersistentMap.empty(), Optional.of(after));
    }
    // The ledger as of the base is let go of once the base moves on: the table then holds more.
    return new Recorded(after, nextBase, next, nextBase == base || base == UNKNOWN ? wholeAtBase : Optional.empty());
  }

  /** Whether the table, standing at {@code tableThrough}, holds everything but the overlay's events. */
  boolean tableHoldsTheRest(long tableThrough) {
    return base != UNKNOWN && tableThrough >= base;
  }

  /** The overlay's events after {@code tableThrough}, in order. */
  private List<BackupSupervisor.AssetBackedUp> after(long tableThrough) {
    List<BackupSupervisor.AssetBackedUp> events = new ArrayList<>();
    for (long seqNr = Math.max(base, tableThrough) + 1; seqNr <= base + overlay.size(); seqNr++) {
      events.add(overlay.get(seqNr).orElseThrow());
    }
    return events;
  }

  /**
   * What a snapshot stores, the table standing at {@code tableThrough}: where it stands and the
   * events after; while it may lack the ledger as of the base, that ledger and the events after it;
   * the whole ledger when neither is known.
   */
  Object stored(long tableThrough) {
    if (tableHoldsTheRest(tableThrough)) {
      return new LedgerSnapshot(tableThrough, List.copyOf(after(tableThrough)));
    }
    if (base != UNKNOWN && wholeAtBase.isPresent()) {
      return new LedgerSnapshot(base, List.copyOf(after(base)), wholeAtBase.get());
    }
    return ledger;
  }

  /**
   * What the table lacks of the events up to {@code lastSeqNr}, the table standing at {@code
   * tableThrough}: the whole ledger as of the base (or, should that be let go of, as of {@code
   * lastSeqNr}), or the rows of the overlay's events after it once there are {@code batch} of them;
   * else empty.
   *
   * <p>Batched because every write is a commit of its own: a write per upload doubled the commits
   * of a small file. What is not written yet stays in the overlay, and so in the snapshots.
   */
  Optional<Unwritten> unwritten(long tableThrough, long lastSeqNr, int batch) {
    if (lastSeqNr <= tableThrough) {
      return Optional.empty();
    }
    if (!tableHoldsTheRest(tableThrough)) {
      return Optional.of(
          wholeAtBase.isPresent()
              ? new Whole(base == UNKNOWN ? lastSeqNr : base, wholeAtBase.get())
              : new Whole(lastSeqNr, ledger));
    }
    if (lastSeqNr - Math.max(base, tableThrough) < batch) {
      return Optional.empty();
    }
    List<LedgerTable.Row> rows = new ArrayList<>();
    long seqNr = Math.max(base, tableThrough);
    for (BackupSupervisor.AssetBackedUp event : after(tableThrough)) {
      rows.add(Ledger.row(++seqNr, event));
    }
    return Optional.of(new Events(rows));
  }

  /** Rows the table lacks. */
  sealed interface Unwritten {
    /** The table holds every fact of the events up to this sequence number once these are written. */
    long through();

    /**
     * Writes them to {@code table}.
     *
     * @throws IllegalStateException when the table cannot be written
     */
    void writeTo(LedgerTable table, String persistenceId);
  }

  /** The rows of the events after where the table stands, in order. */
  record Events(List<LedgerTable.Row> rows) implements Unwritten {
    @Override
    public void writeTo(LedgerTable table, String persistenceId) {
      table.write(persistenceId, rows);
    }

    @Override
    public long through() {
      return rows.get(rows.size() - 1).seqNr();
    }
  }

  /**
   * The whole ledger as of {@code seqNr}, from the rows a write cut short left off; once all there,
   * the rows it makes redundant go, so the table holds one whole ledger at most and a restart reads
   * each asset's facts about once, not once more per whole ledger ever written.
   */
  record Whole(long seqNr, Ledger ledger) implements Unwritten {
    @Override
    public void writeTo(LedgerTable table, String persistenceId) {
      table.write(persistenceId, ledger.rows(seqNr, table.rowsAt(persistenceId, seqNr)));
      table.dropSupersededBy(persistenceId, seqNr);
    }

    @Override
    public long through() {
      return seqNr;
    }
  }

  @Override
  public String toString() {
    return "Recorded(" + ledger + ", " + overlay.size() + " events after " + (base == UNKNOWN ? "?" : base)
        + (wholeAtBase.isPresent() ? ", the whole ledger there due" : "") + ")";
  }
}

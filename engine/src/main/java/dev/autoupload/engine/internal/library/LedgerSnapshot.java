package dev.autoupload.engine.internal.library;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.autoupload.engine.internal.serialization.CborSerializable;
import java.util.List;
import java.util.Optional;

/**
 * A library's snapshot as stored since its ledger lives in the {@link LedgerTable}: not the ledger
 * but where the table stood, and the events after that, so its size follows how far the table lags,
 * not the size of the library.
 *
 * <p>While the table is being given a whole ledger (after a snapshot of the old form, or an overlay
 * that outgrew its cap), {@code whole} holds that ledger, as of {@code tableThrough}: the table may
 * lack it, and a restart goes on writing it at the same sequence number where the write stopped
 * instead of writing the whole ledger anew at its own.
 *
 * @param tableThrough the table held every fact of the events up to this sequence number, or, with
 *     {@code whole}, will once that ledger is written there
 * @param overlay the events after {@code tableThrough} up to the snapshot, in order
 * @param whole the ledger as of {@code tableThrough} when the table may lack it; else null
 */
record LedgerSnapshot(
    long tableThrough,
    List<BackupSupervisor.AssetBackedUp> overlay,
    @JsonInclude(JsonInclude.Include.NON_NULL) Ledger whole)
    implements CborSerializable {

  /** A snapshot over a table that holds every fact up to {@code tableThrough}. */
  LedgerSnapshot(long tableThrough, List<BackupSupervisor.AssetBackedUp> overlay) {
    this(tableThrough, overlay, null);
  }

  /** The ledger the table may lack, as of {@code tableThrough}. */
  Optional<Ledger> wholeDue() {
    return Optional.ofNullable(whole);
  }
}

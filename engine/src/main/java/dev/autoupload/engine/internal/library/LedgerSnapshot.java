package dev.autoupload.engine.internal.library;

import dev.autoupload.engine.internal.serialization.CborSerializable;
import java.util.List;

/**
 * A library's snapshot as stored since its ledger lives in the {@link LedgerTable}: not the ledger
 * but where the table stood, and the events after that, so its size follows how far the table lags,
 * not the size of the library.
 *
 * @param tableThrough the table held every fact of the events up to this sequence number
 * @param overlay the events after {@code tableThrough} up to the snapshot, in order
 */
record LedgerSnapshot(long tableThrough, List<BackupSupervisor.AssetBackedUp> overlay) implements CborSerializable {}

package dev.autoupload.it;

import dev.autoupload.engine.internal.library.LedgerTable;
import dev.autoupload.engine.internal.persistence.JdbcLedgerTable;
import dev.autoupload.engine.internal.persistence.JournalDatabase;
import dev.autoupload.engine.internal.persistence.LedgerTableContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ledger table on a real PostgreSQL server, made by the engine's own migration: its SQL is not
 * H2's ({@code ON CONFLICT DO NOTHING}, a result streamed in a transaction), so the same contract
 * runs on it.
 */
class LedgerTablePostgresIT extends LedgerTableContract {

  @RegisterExtension static final MigratedPostgres postgres = new MigratedPostgres();

  @Override
  protected LedgerTable table() {
    return new JdbcLedgerTable(postgres.emptied("ledger_row, ledger_chunk"), JournalDatabase.Dialect.POSTGRES);
  }
}

package dev.autoupload.engine.internal.persistence;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

/** Commits rows to the embedded journal, then dies like kill -9: no shutdown hook, no close. */
public final class KilledAfterCommit {

  public static void main(String[] args) throws Exception {
    JournalDatabase journal = JournalDatabase.of("", "sa", "", Path.of(args[0]));
    journal.migrate();
    // Left open, as the engine's pool leaves its connections: closing the last one would flush.
    Connection db = journal.connect();
    Statement insert = db.createStatement();
    db.setAutoCommit(false);
    for (int i = 0; i < 5; i++) {
      insert.execute("INSERT INTO asset_content_hash VALUES ('lib', 'a" + i + "', '0123456789abcdef', '" + "ab".repeat(32) + "')");
      db.commit();
    }
    Runtime.getRuntime().halt(137);
  }
}

package io.cloak.jdbc.it;

import io.cloak.testing.TestDatabase;
import org.junit.jupiter.api.Test;

class PostgresColumnEncryptionTest extends ColumnEncryptionSuite {
  @Override
  TestDatabase.Engine engine() {
    return TestDatabase.Engine.POSTGRESQL;
  }

  @Test
  void onConflictUpsertUpdatesEncryptedColumn() throws Exception {
    upsertUpdatesEncryptedColumn(
        id ->
            "INSERT INTO customers (id, card) VALUES (?, ?)"
                + " ON CONFLICT (id) DO UPDATE SET card = EXCLUDED.card");
  }
}

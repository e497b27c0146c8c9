package io.cloak.jdbc.it;

import io.cloak.testing.TestDatabase;
import org.junit.jupiter.api.Test;

class MariaDbColumnEncryptionTest extends ColumnEncryptionSuite {
  @Override
  TestDatabase.Engine engine() {
    return TestDatabase.Engine.MARIADB;
  }

  @Test
  void onDuplicateKeyUpsertUpdatesEncryptedColumn() throws Exception {
    upsertUpdatesEncryptedColumn(
        id ->
            "INSERT INTO customers (id, card) VALUES (?, ?)"
                + " ON DUPLICATE KEY UPDATE card = VALUES(card)");
  }
}

package io.cloak.jdbc.it;

import io.cloak.testing.TestDatabase;

class H2FileColumnEncryptionTest extends ColumnEncryptionSuite {
  @Override
  TestDatabase.Engine engine() {
    return TestDatabase.Engine.H2_FILE;
  }
}

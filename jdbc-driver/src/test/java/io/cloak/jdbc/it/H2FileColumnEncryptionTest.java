package io.cloak.jdbc.it;

class H2FileColumnEncryptionTest extends ColumnEncryptionSuite {
  @Override
  TestDatabase.Engine engine() {
    return TestDatabase.Engine.H2_FILE;
  }
}

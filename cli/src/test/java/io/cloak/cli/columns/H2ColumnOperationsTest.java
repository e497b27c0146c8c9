package io.cloak.cli.columns;

import io.cloak.testing.TestDatabase;

/** The column commands on an H2 file database. */
class H2ColumnOperationsTest extends ColumnOperationsContract {
  @Override
  TestDatabase.Engine engine() {
    return TestDatabase.Engine.H2_FILE;
  }
}

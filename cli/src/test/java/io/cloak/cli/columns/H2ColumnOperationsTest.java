package io.cloak.cli.columns;

/** The column commands on an H2 file database. */
class H2ColumnOperationsTest extends ColumnOperationsContract {
  @Override
  ColumnTestDb.Engine engine() {
    return ColumnTestDb.Engine.H2_FILE;
  }
}

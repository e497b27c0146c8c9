package io.cloak.cli.columns;

import io.cloak.testing.TestDatabase;

/** The column commands on PostgreSQL (127.0.0.1:5432). */
class PostgresColumnOperationsTest extends ColumnOperationsContract {
  @Override
  TestDatabase.Engine engine() {
    return TestDatabase.Engine.POSTGRESQL;
  }
}

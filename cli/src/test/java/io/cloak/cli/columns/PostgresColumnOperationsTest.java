package io.cloak.cli.columns;

/** The column commands on PostgreSQL (127.0.0.1:5432). */
class PostgresColumnOperationsTest extends ColumnOperationsContract {
  @Override
  ColumnTestDb.Engine engine() {
    return ColumnTestDb.Engine.POSTGRESQL;
  }
}

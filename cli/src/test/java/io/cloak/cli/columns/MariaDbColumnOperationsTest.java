package io.cloak.cli.columns;

/** The column commands on MariaDB (127.0.0.1:3306). */
class MariaDbColumnOperationsTest extends ColumnOperationsContract {
  @Override
  ColumnTestDb.Engine engine() {
    return ColumnTestDb.Engine.MARIADB;
  }
}

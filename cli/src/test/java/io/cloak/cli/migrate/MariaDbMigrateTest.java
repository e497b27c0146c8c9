package io.cloak.cli.migrate;

class MariaDbMigrateTest extends MigrationSuite {
  @Override
  TestDatabase.Engine engine() {
    return TestDatabase.Engine.MARIADB;
  }
}

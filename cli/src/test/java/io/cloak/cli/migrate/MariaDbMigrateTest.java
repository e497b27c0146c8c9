package io.cloak.cli.migrate;

import io.cloak.testing.TestDatabase;

class MariaDbMigrateTest extends MigrationSuite {
  @Override
  TestDatabase.Engine engine() {
    return TestDatabase.Engine.MARIADB;
  }
}

package io.cloak.cli.migrate;

import io.cloak.testing.TestDatabase;

class H2MigrateTest extends MigrationSuite {
  @Override
  TestDatabase.Engine engine() {
    return TestDatabase.Engine.H2_FILE;
  }
}

package io.cloak.cli.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProgressBarTest {
  @Test
  void barFillsInProportionAndClampsOutOfRangeFractions() {
    assertEquals("[----------]", Copier.bar(0, 10));
    assertEquals("[#####-----]", Copier.bar(0.5, 10));
    assertEquals("[##########]", Copier.bar(1, 10));
    assertEquals("[##########]", Copier.bar(1.7, 10));
    assertEquals("[----------]", Copier.bar(-0.2, 10));
  }
}

package io.cloak.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoInstantsTest {
  private static final long MIN = Instant.parse("-0001-01-01T00:00:00Z").getEpochSecond();
  private static final long MAX = Instant.parse("+10001-01-01T00:00:00Z").getEpochSecond();

  @Test
  void formatsExactlyAsInstantToStringForRandomInstantsAndEdges() {
    SplittableRandom random = new SplittableRandom(20261127);
    for (int i = 0; i < 200_000; i++) {
      long second = random.nextLong(MIN, MAX);
      int nano =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1000;
            default -> random.nextInt(1_000_000_000);
          };
      Instant instant = Instant.ofEpochSecond(second, nano);
      String expected = instant.toString();
      assertEquals(expected, IsoInstants.format(instant), () -> "for " + expected);
      assertEquals(instant, IsoInstants.parse(expected), () -> "parsing " + expected);
    }
    for (String edge :
        List.of(
            "0000-01-01T00:00:00Z",
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.999999999Z",
            "2000-02-29T12:00:00.5Z",
            "2024-02-29T23:59:59.000001Z",
            "9999-12-31T23:59:59.999Z",
            "+10000-01-01T00:00:00Z",
            "-0001-12-31T23:59:59Z")) {
      Instant instant = Instant.parse(edge);
      assertEquals(instant.toString(), IsoInstants.format(instant));
      assertEquals(instant, IsoInstants.parse(edge));
    }
  }

  @Test
  void parsesWhatInstantParseParsesAndRejectsWhatItRejects() {
    for (String accepted :
        List.of(
            "2026-11-27T21:30:05.1Z", "2026-11-27T21:30:05.123456780Z", "2016-12-31T23:59:60Z")) {
      assertEquals(Instant.parse(accepted), IsoInstants.parse(accepted), accepted);
    }
    for (String rejected :
        List.of(
            "",
            "2026-11-27",
            "2026-11-27T21:30:05",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-11-27T24:00:01Z",
            "2026-11-27T21:60:00Z",
            "2026-11-27T21:30:05.1234567891Z",
            "2026-11-27T21:30:0xZ",
            "2026-11-27 21:30:05Z",
            "２026-11-27T21:30:05Z")) {
      assertThrows(DateTimeParseException.class, () -> Instant.parse(rejected), rejected);
      assertThrows(DateTimeParseException.class, () -> IsoInstants.parse(rejected), rejected);
    }
  }
}

package io.cloak.jdbc.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Date;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/** Values of every type {@link ValueCodec} supports, including edge cases. */
final class SampleValues {

  private SampleValues() {}

  static List<Object> all() {
    return List.of(
        "",
        "plain ascii",
        "Grüße, naïve café",
        "日本語テキスト",
        "emoji 😀👍🏽 and a zero \u0000 char",
        Integer.MIN_VALUE,
        Integer.MAX_VALUE,
        0,
        Long.MIN_VALUE,
        Long.MAX_VALUE,
        (short) -12345,
        (byte) -128,
        true,
        false,
        3.141592653589793,
        -0.0d,
        Double.NaN,
        Double.NEGATIVE_INFINITY,
        1.5f,
        Float.MIN_VALUE,
        new BigDecimal("1.50"),
        new BigDecimal("-0.000"),
        new BigDecimal("1E+3"),
        new BigDecimal("-123456789012345678901234567890.123456789"),
        BigInteger.ZERO,
        new BigInteger("-98765432109876543210987654321"),
        new byte[0],
        new byte[] {0, -1, 127, -128, 42},
        Date.valueOf(LocalDate.of(2024, 2, 29)),
        Date.valueOf(LocalDate.of(1900, 1, 1)),
        new Time(Time.valueOf(LocalTime.of(13, 45, 30)).getTime() + 123),
        Timestamp.valueOf(LocalDateTime.of(2024, 7, 1, 12, 34, 56, 123_456_789)),
        Timestamp.valueOf(LocalDateTime.of(1969, 12, 31, 23, 59, 59, 1)),
        UUID.fromString("123e4567-e89b-12d3-a456-426614174000"),
        LocalDate.of(2024, 2, 29),
        LocalDate.MIN,
        LocalDate.MAX,
        LocalTime.MAX,
        LocalTime.MIDNIGHT,
        LocalDateTime.of(2024, 7, 1, 12, 34, 56, 987_654_321),
        OffsetDateTime.of(2024, 7, 1, 12, 34, 56, 123_456_789, ZoneOffset.ofHoursMinutes(5, 30)),
        OffsetDateTime.of(1999, 12, 31, 23, 59, 59, 0, ZoneOffset.ofHours(-8)),
        Instant.ofEpochSecond(1_700_000_000L, 999_999_999),
        Instant.ofEpochSecond(-1L, 1));
  }

  /** Asserts that {@code actual} has exactly the type and value of {@code expected}. */
  static void assertSameTypeAndValue(Object expected, Object actual) {
    assertEquals(expected.getClass(), actual.getClass(), "Java type");
    if (expected instanceof byte[] bytes) {
      assertArrayEquals(bytes, (byte[]) actual);
    } else {
      assertEquals(expected, actual);
    }
    if (expected instanceof BigDecimal d) {
      assertEquals(d.scale(), ((BigDecimal) actual).scale(), "scale");
    }
    if (expected instanceof Timestamp t) {
      assertEquals(t.getNanos(), ((Timestamp) actual).getNanos(), "nanos");
    }
    if (expected instanceof OffsetDateTime t) {
      assertEquals(t.getOffset(), ((OffsetDateTime) actual).getOffset(), "offset");
    }
  }
}

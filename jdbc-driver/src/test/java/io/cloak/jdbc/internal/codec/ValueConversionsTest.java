package io.cloak.jdbc.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Date;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ValueConversionsTest {

  private static final String COLUMN = "account_balance";
  private static final String SECRET = "TOP-SECRET-4111-1111-1111-1111";

  private static <T> T convert(Object value, Class<T> target) throws SQLException {
    return ValueConversions.convert(value, target, COLUMN);
  }

  @Test
  void nullStaysNull() throws SQLException {
    assertNull(convert(null, Integer.class));
    assertNull(convert(null, int.class));
    assertNull(convert(null, String.class));
  }

  @Test
  void getIntFromLongInRange() throws SQLException {
    assertEquals(Integer.valueOf(42), convert(42L, Integer.class));
    assertEquals(Integer.valueOf(Integer.MIN_VALUE), convert((long) Integer.MIN_VALUE, int.class));
    assertEquals(Integer.valueOf(-7), convert((short) -7, Integer.class));
    assertEquals(Integer.valueOf(12), convert(new BigDecimal("12.000"), Integer.class));
    assertEquals(Integer.valueOf(1000), convert(new BigDecimal("1E+3"), Integer.class));
    assertEquals(Integer.valueOf(5), convert(BigInteger.valueOf(5), Integer.class));
    assertEquals(Integer.valueOf(3), convert(3.0, Integer.class));
    assertEquals(Integer.valueOf(17), convert(" 17 ", Integer.class));
  }

  @Test
  void getIntOverflowFailsNamingColumnAndTypesButNotValue() {
    SQLException e = assertThrows(SQLException.class, () -> convert(9_876_543_210_123L, int.class));
    assertEquals("22003", e.getSQLState());
    assertTrue(e.getMessage().contains(COLUMN), e.getMessage());
    assertTrue(e.getMessage().contains("Long"), e.getMessage());
    assertTrue(e.getMessage().contains("Integer"), e.getMessage());
    assertFalse(e.getMessage().contains("9876543210123"), e.getMessage());
  }

  @Test
  void narrowIntegralOverflowFails() {
    assertThrows(SQLException.class, () -> convert(40_000, Short.class));
    assertThrows(SQLException.class, () -> convert(128, Byte.class));
    assertThrows(
        SQLException.class, () -> convert(new BigInteger("9223372036854775808"), long.class));
    assertThrows(SQLException.class, () -> convert(new BigDecimal("1E+30"), Long.class));
    assertThrows(SQLException.class, () -> convert(1e19, Long.class));
    assertThrows(SQLException.class, () -> convert(new BigDecimal("1E+1000000000"), Long.class));
  }

  @Test
  void fractionalValueIsNotTruncatedToAnInteger() {
    SQLException e =
        assertThrows(SQLException.class, () -> convert(new BigDecimal("42.5"), Integer.class));
    assertEquals("22003", e.getSQLState());
    assertThrows(SQLException.class, () -> convert(2.5, Long.class));
    assertThrows(SQLException.class, () -> convert(Double.NaN, Long.class));
  }

  @Test
  void getLongFromIntegralTypes() throws SQLException {
    assertEquals(Long.valueOf(Long.MIN_VALUE), convert(Long.MIN_VALUE, long.class));
    assertEquals(
        Long.valueOf(Long.MAX_VALUE), convert(BigInteger.valueOf(Long.MAX_VALUE), Long.class));
    assertEquals(Long.valueOf(-128), convert((byte) -128, Long.class));
    assertEquals(Short.valueOf((short) 300), convert(300L, short.class));
    assertEquals(Byte.valueOf((byte) -1), convert(-1, byte.class));
  }

  @Test
  void getStringUsesStringValueOfAndKeepsBigDecimalScale() throws SQLException {
    assertEquals("1.50", convert(new BigDecimal("1.50"), String.class));
    assertEquals("42", convert(42L, String.class));
    assertEquals("true", convert(true, String.class));
    assertEquals("2024-02-29", convert(LocalDate.of(2024, 2, 29), String.class));
    assertEquals(
        "2024-07-01 12:34:56.123456789",
        convert(Timestamp.valueOf("2024-07-01 12:34:56.123456789"), String.class));
  }

  @Test
  void getStringOfBytesFails() {
    SQLException e = assertThrows(SQLException.class, () -> convert(new byte[] {1}, String.class));
    assertEquals("07006", e.getSQLState());
    assertTrue(e.getMessage().contains("byte[]"), e.getMessage());
  }

  @Test
  void getBytesOnlyFromBytes() throws SQLException {
    byte[] bytes = {1, 2, 3};
    assertArrayEquals(bytes, convert(bytes, byte[].class));
    SQLException e = assertThrows(SQLException.class, () -> convert(SECRET, byte[].class));
    assertTrue(e.getMessage().contains(COLUMN), e.getMessage());
    assertFalse(e.getMessage().contains(SECRET), e.getMessage());
  }

  @Test
  void unparseableStringFailsWithoutQuotingIt() {
    for (Class<?> target :
        new Class<?>[] {
          Integer.class,
          Long.class,
          Double.class,
          Float.class,
          BigDecimal.class,
          Boolean.class,
          UUID.class
        }) {
      SQLException e = assertThrows(SQLException.class, () -> convert(SECRET, target));
      assertEquals("22018", e.getSQLState(), target.getName());
      assertTrue(e.getMessage().contains(COLUMN), e.getMessage());
      assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    }
  }

  @Test
  void floatingPointConversions() throws SQLException {
    assertEquals(Double.valueOf(1.5), convert(new BigDecimal("1.5"), double.class));
    assertEquals(Double.valueOf(7.0), convert(7L, Double.class));
    assertEquals(Float.valueOf(2.25f), convert(2.25, float.class));
    assertEquals(Float.valueOf(0.1f), convert(new BigDecimal("0.1"), Float.class));
    assertThrows(SQLException.class, () -> convert(1e300, Float.class));
    assertThrows(SQLException.class, () -> convert(new BigDecimal("1E+400"), Double.class));
    assertEquals(
        Float.valueOf(Float.NEGATIVE_INFINITY), convert(Double.NEGATIVE_INFINITY, Float.class));
  }

  @Test
  void bigDecimalConversions() throws SQLException {
    assertEquals(new BigDecimal("0.1"), convert(0.1f, BigDecimal.class));
    assertEquals(new BigDecimal("2.5"), convert(2.5, BigDecimal.class));
    assertEquals(BigDecimal.valueOf(99), convert(99L, BigDecimal.class));
    assertEquals(new BigDecimal("12.340"), convert("12.340", BigDecimal.class));
    assertThrows(SQLException.class, () -> convert(Double.POSITIVE_INFINITY, BigDecimal.class));
  }

  @Test
  void booleanConversions() throws SQLException {
    assertEquals(Boolean.TRUE, convert(1, boolean.class));
    assertEquals(Boolean.FALSE, convert(new BigDecimal("0.00"), Boolean.class));
    assertEquals(Boolean.TRUE, convert("Yes", Boolean.class));
    assertEquals(Boolean.FALSE, convert("f", Boolean.class));
    assertThrows(SQLException.class, () -> convert(2, Boolean.class));
    assertEquals(Integer.valueOf(1), convert(true, Integer.class));
  }

  @Test
  void getTimestampFromLocalDateTimeKeepsNanos() throws SQLException {
    LocalDateTime dateTime = LocalDateTime.of(2024, 7, 1, 12, 34, 56, 123_456_789);
    Timestamp ts = convert(dateTime, Timestamp.class);
    assertEquals(dateTime, ts.toLocalDateTime());
    assertEquals(123_456_789, ts.getNanos());
  }

  @Test
  void getTimestampFromInstantsAndDates() throws SQLException {
    Instant instant = Instant.ofEpochSecond(1_700_000_000L, 5);
    assertEquals(instant, convert(instant, Timestamp.class).toInstant());
    OffsetDateTime odt = instant.atOffset(ZoneOffset.ofHours(3));
    assertEquals(instant, convert(odt, Timestamp.class).toInstant());
    assertEquals(
        LocalDate.of(2024, 1, 2).atStartOfDay(),
        convert(LocalDate.of(2024, 1, 2), Timestamp.class).toLocalDateTime());
  }

  @Test
  void getDateAndGetTime() throws SQLException {
    LocalDate date = LocalDate.of(2024, 2, 29);
    assertEquals(Date.valueOf(date), convert(date, Date.class));
    assertEquals(
        Date.valueOf(date), convert(Timestamp.valueOf(date.atTime(13, 0)), java.sql.Date.class));
    LocalTime time = LocalTime.of(13, 45, 30, 123_000_000);
    Time sqlTime = convert(time, Time.class);
    assertEquals(time, ValueCodec.localTimeOf(sqlTime));
    assertEquals(time, convert(sqlTime, LocalTime.class));
    assertThrows(SQLException.class, () -> convert(42, Date.class));
  }

  @Test
  void getObjectWithJavaTimeTypes() throws SQLException {
    LocalDate date = LocalDate.of(2023, 12, 31);
    assertEquals(date, convert(Date.valueOf(date), LocalDate.class));
    LocalDateTime dateTime = date.atTime(23, 59, 59, 999_999_999);
    assertEquals(dateTime, convert(Timestamp.valueOf(dateTime), LocalDateTime.class));
    Instant instant = Instant.ofEpochSecond(86_400, 7);
    assertEquals(instant.atOffset(ZoneOffset.UTC), convert(instant, OffsetDateTime.class));
    OffsetDateTime odt = OffsetDateTime.of(dateTime, ZoneOffset.ofHours(-5));
    assertSame(odt, convert(odt, OffsetDateTime.class));
    assertEquals(odt.toInstant(), convert(odt, Instant.class));
    assertThrows(SQLException.class, () -> convert(dateTime, OffsetDateTime.class));
  }

  @Test
  void getObjectWithUuidAndObject() throws SQLException {
    UUID uuid = UUID.randomUUID();
    assertEquals(uuid, convert(uuid.toString(), UUID.class));
    Object value = new BigDecimal("3.14");
    assertSame(value, convert(value, Object.class));
    assertSame(value, convert(value, Number.class));
  }

  @Test
  void unsupportedConversionNamesTypes() {
    SQLException e =
        assertThrows(SQLException.class, () -> convert(UUID.randomUUID(), Integer.class));
    assertEquals("07006", e.getSQLState());
    assertTrue(e.getMessage().contains("java.util.UUID"), e.getMessage());
    assertTrue(e.getMessage().contains("Integer"), e.getMessage());
    assertTrue(e.getMessage().contains(COLUMN), e.getMessage());
  }
}

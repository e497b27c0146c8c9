package io.cloak.jdbc.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.sql.Time;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValueCodecTest {

  private static final String SECRET = "TOP-SECRET-4111-1111-1111-1111";

  static List<Object> values() {
    return SampleValues.all();
  }

  @ParameterizedTest
  @MethodSource("values")
  void decodeReturnsTheOriginalTypeAndValue(Object value) throws SQLException {
    SampleValues.assertSameTypeAndValue(value, ValueCodec.decode(ValueCodec.encode(value)));
  }

  @Test
  void encodingStartsWithTheDocumentedTypeTag() throws SQLException {
    assertEquals(0x01, ValueCodec.encode("x")[0]);
    assertEquals(0x02, ValueCodec.encode(1)[0]);
    assertEquals(0x03, ValueCodec.encode(1L)[0]);
    assertEquals(0x04, ValueCodec.encode((short) 1)[0]);
    assertEquals(0x05, ValueCodec.encode((byte) 1)[0]);
    assertEquals(0x06, ValueCodec.encode(true)[0]);
    assertEquals(0x07, ValueCodec.encode(1.0)[0]);
    assertEquals(0x08, ValueCodec.encode(1.0f)[0]);
    assertEquals(0x09, ValueCodec.encode(BigDecimal.ONE)[0]);
    assertEquals(0x0A, ValueCodec.encode(java.math.BigInteger.ONE)[0]);
    assertEquals(0x0B, ValueCodec.encode(new byte[1])[0]);
    assertEquals(0x0C, ValueCodec.encode(java.sql.Date.valueOf("2024-01-01"))[0]);
    assertEquals(0x0D, ValueCodec.encode(Time.valueOf("10:00:00"))[0]);
    assertEquals(0x0E, ValueCodec.encode(java.sql.Timestamp.valueOf("2024-01-01 10:00:00"))[0]);
    assertEquals(0x0F, ValueCodec.encode(java.util.UUID.randomUUID())[0]);
    assertEquals(0x10, ValueCodec.encode(LocalDate.EPOCH)[0]);
    assertEquals(0x11, ValueCodec.encode(LocalTime.NOON)[0]);
    assertEquals(0x12, ValueCodec.encode(LocalDate.EPOCH.atStartOfDay())[0]);
    assertEquals(0x13, ValueCodec.encode(OffsetDateTime.now())[0]);
    assertEquals(0x14, ValueCodec.encode(Instant.EPOCH)[0]);
  }

  @Test
  void storedLayoutMatchesTheDocumentedFormat() throws SQLException {
    HexFormat hex = HexFormat.of();
    assertEquals("0161c3a9", hex.formatHex(ValueCodec.encode("aé")));
    assertEquals("02fffffffe", hex.formatHex(ValueCodec.encode(-2)));
    assertEquals("030000000000000007", hex.formatHex(ValueCodec.encode(7L)));
    assertEquals("0601", hex.formatHex(ValueCodec.encode(true)));
    // 1.50: scale 2, unscaled 150 = 0x0096 (minimal two's complement needs the sign byte).
    assertEquals("09000000020096", hex.formatHex(ValueCodec.encode(new BigDecimal("1.50"))));
    assertEquals("0b0102", hex.formatHex(ValueCodec.encode(new byte[] {1, 2})));
    assertEquals("100000000000000001", hex.formatHex(ValueCodec.encode(LocalDate.of(1970, 1, 2))));
    // 1970-01-01T01:00:01.000000002+01:00 is epoch second 1, nano 2, offset 3600 seconds.
    OffsetDateTime odt = OffsetDateTime.of(1970, 1, 1, 1, 0, 1, 2, ZoneOffset.ofHours(1));
    assertEquals(
        "13" + "0000000000000001" + "00000002" + "00000e10", hex.formatHex(ValueCodec.encode(odt)));
    assertEquals(
        "14" + "ffffffffffffffff" + "00000005",
        hex.formatHex(ValueCodec.encode(Instant.ofEpochSecond(-1, 5))));
  }

  @Test
  void bigDecimalKeepsItsScale() throws SQLException {
    Object decoded = ValueCodec.decode(ValueCodec.encode(new BigDecimal("1.50")));
    assertEquals("1.50", decoded.toString());
    assertEquals(2, ((BigDecimal) decoded).scale());
  }

  @Test
  void sqlTimeKeepsMilliseconds() throws SQLException {
    Time time = new Time(Time.valueOf(LocalTime.of(8, 9, 10)).getTime() + 456);
    Time decoded = (Time) ValueCodec.decode(ValueCodec.encode(time));
    assertEquals(time.getTime(), decoded.getTime());
  }

  @Test
  void unsupportedTypeFailsNamingTheClassButNotTheValue() {
    SQLException e =
        assertThrows(SQLException.class, () -> ValueCodec.encode(new Secretive(SECRET)));
    assertEquals("22023", e.getSQLState());
    assertTrue(e.getMessage().contains(Secretive.class.getName()), e.getMessage());
    assertFalse(e.getMessage().contains(SECRET), e.getMessage());
  }

  @Test
  void javaUtilDateAndCharacterAreNotSupported() {
    assertThrows(SQLException.class, () -> ValueCodec.encode(new java.util.Date()));
    assertThrows(SQLException.class, () -> ValueCodec.encode('c'));
    assertThrows(SQLException.class, () -> ValueCodec.encode(new ArrayList<String>()));
  }

  @Test
  void unpairedSurrogateIsRejectedRatherThanSilentlyReplaced() {
    SQLException e =
        assertThrows(SQLException.class, () -> ValueCodec.encode(SECRET + "\uD800" + SECRET));
    assertEquals("22023", e.getSQLState());
    assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    assertThrows(SQLException.class, () -> ValueCodec.encode("\uDC00x"));
    assertThrows(SQLException.class, () -> ValueCodec.encode("x\uD83D"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", // empty
        "00", // reserved tag
        "7f01", // unknown tag
        "02000001", // Integer with 3 bytes
        "0200000000ff", // Integer with 5 bytes
        "0602", // Boolean neither 0 nor 1
        "01ff", // invalid UTF-8
        "01c0af", // overlong UTF-8
        "0900000001", // BigDecimal without unscaled bytes
        "0a", // BigInteger without bytes
        "11ffffffffffffffff", // LocalTime nano of day out of range
        "107fffffffffffffff", // LocalDate epoch day out of range
        "140000000000000000ffffffff", // Instant with negative nanos
        "1300000000000000003b9aca0000000000", // OffsetDateTime with nanos = 10^9
        "13000000000000000000000000000fffff" // OffsetDateTime with offset beyond 18 hours
      })
  void malformedEncodingFailsWithSqlException(String hexValue) {
    byte[] bytes = HexFormat.of().parseHex(hexValue);
    SQLException e = assertThrows(SQLException.class, () -> ValueCodec.decode(bytes));
    assertEquals("22000", e.getSQLState());
  }

  @Test
  void decodeDoesNotModifyItsInput() throws SQLException {
    byte[] encoded = ValueCodec.encode("hello");
    byte[] copy = encoded.clone();
    ValueCodec.decode(encoded);
    assertArrayEquals(copy, encoded);
  }

  /** A type the codec does not support, whose {@code toString} would leak a secret. */
  static final class Secretive {
    private final String secret;

    Secretive(String secret) {
      this.secret = secret;
    }

    @Override
    public String toString() {
      return secret;
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "a",
        "user42@example.com",
        "\u00e9t\u00e9 \u00df",
        "\u07ff\u0800\uffff\ud7ff\ue000",
        "emoji \ud83d\ude00 and \ud800\udc00 \udbff\udfff end",
        "\u0000\u007f\u0080"
      })
  void stringEncodingIsTheTagFollowedByUtf8(String value) throws SQLException {
    byte[] utf8 = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] expected = new byte[utf8.length + 1];
    expected[0] = ValueCodec.TAG_STRING;
    System.arraycopy(utf8, 0, expected, 1, utf8.length);
    assertArrayEquals(expected, ValueCodec.encode(value));
    assertEquals(value, ValueCodec.decode(expected));
  }
}

package io.cloak.jdbc.internal.codec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.UUID;

/**
 * Typed plaintext encoding of column values: a 1-byte type tag followed by the value, so that
 * {@link #decode} returns exactly the Java type that was {@linkplain #encode encoded}.
 *
 * <p>This encoding is part of the stored format (it is what Cloak encrypts); tags and layouts must
 * never change meaning. All multi-byte integers are big-endian two's complement.
 *
 * <table>
 *   <caption>Type tags</caption>
 *   <tr><th>Tag</th><th>Java type</th><th>Bytes after the tag</th></tr>
 *   <tr><td>0x00</td><td>(reserved, invalid)</td><td></td></tr>
 *   <tr><td>0x01</td><td>{@code String}</td><td>UTF-8 (any length, may be empty)</td></tr>
 *   <tr><td>0x02</td><td>{@code Integer}</td><td>4</td></tr>
 *   <tr><td>0x03</td><td>{@code Long}</td><td>8</td></tr>
 *   <tr><td>0x04</td><td>{@code Short}</td><td>2</td></tr>
 *   <tr><td>0x05</td><td>{@code Byte}</td><td>1</td></tr>
 *   <tr><td>0x06</td><td>{@code Boolean}</td><td>1: 0x00 false, 0x01 true</td></tr>
 *   <tr><td>0x07</td><td>{@code Double}</td><td>8: IEEE 754 bits
 *       ({@code doubleToRawLongBits})</td></tr>
 *   <tr><td>0x08</td><td>{@code Float}</td><td>4: IEEE 754 bits
 *       ({@code floatToRawIntBits})</td></tr>
 *   <tr><td>0x09</td><td>{@code BigDecimal}</td><td>4-byte scale, then the unscaled value as
 *       minimal two's complement ({@code BigInteger.toByteArray()}, at least 1 byte)</td></tr>
 *   <tr><td>0x0A</td><td>{@code BigInteger}</td><td>minimal two's complement, at least
 *       1 byte</td></tr>
 *   <tr><td>0x0B</td><td>{@code byte[]}</td><td>the bytes (any length, may be empty)</td></tr>
 *   <tr><td>0x0C</td><td>{@code java.sql.Date}</td><td>8: epoch day of
 *       {@code toLocalDate()}</td></tr>
 *   <tr><td>0x0D</td><td>{@code java.sql.Time}</td><td>8: nano of day of the local time,
 *       milliseconds included</td></tr>
 *   <tr><td>0x0E</td><td>{@code java.sql.Timestamp}</td><td>8: epoch day | 8: nano of day, of
 *       {@code toLocalDateTime()} (nanoseconds kept)</td></tr>
 *   <tr><td>0x0F</td><td>{@code UUID}</td><td>8: most significant bits | 8: least</td></tr>
 *   <tr><td>0x10</td><td>{@code LocalDate}</td><td>8: epoch day</td></tr>
 *   <tr><td>0x11</td><td>{@code LocalTime}</td><td>8: nano of day</td></tr>
 *   <tr><td>0x12</td><td>{@code LocalDateTime}</td><td>8: epoch day | 8: nano of day</td></tr>
 *   <tr><td>0x13</td><td>{@code OffsetDateTime}</td><td>8: epoch second | 4: nano of second |
 *       4: offset in seconds (the offset is kept)</td></tr>
 *   <tr><td>0x14</td><td>{@code Instant}</td><td>8: epoch second | 4: nano of second</td></tr>
 * </table>
 *
 * <p>{@code java.sql.Date}, {@code Time} and {@code Timestamp} are stored as the local date/time
 * they show in the JVM default time zone (JDBC semantics) and are rebuilt the same way, so a {@code
 * Time} comes back on 1970-01-01 and a {@code Date} at midnight. Strings must be well-formed UTF-16
 * (no unpaired surrogates), so that they round-trip exactly.
 *
 * <p>Thread-safety: stateless and thread-safe.
 *
 * <p>Exceptions: {@link #encode} throws {@link SQLException} with SQLState {@value
 * #SQLSTATE_INVALID_PARAMETER} for unsupported types and malformed strings, naming the Java class
 * but never the value; {@link #decode} throws {@link SQLException} with SQLState {@value
 * #SQLSTATE_MALFORMED} for malformed input.
 */
public final class ValueCodec {

  /** SQLState for values that cannot be encoded: "invalid parameter value". */
  public static final String SQLSTATE_INVALID_PARAMETER = "22023";

  /** SQLState for encoded plaintext that cannot be decoded: "data exception". */
  public static final String SQLSTATE_MALFORMED = "22000";

  static final byte TAG_STRING = 0x01;
  static final byte TAG_INTEGER = 0x02;
  static final byte TAG_LONG = 0x03;
  static final byte TAG_SHORT = 0x04;
  static final byte TAG_BYTE = 0x05;
  static final byte TAG_BOOLEAN = 0x06;
  static final byte TAG_DOUBLE = 0x07;
  static final byte TAG_FLOAT = 0x08;
  static final byte TAG_BIG_DECIMAL = 0x09;
  static final byte TAG_BIG_INTEGER = 0x0A;
  static final byte TAG_BYTES = 0x0B;
  static final byte TAG_SQL_DATE = 0x0C;
  static final byte TAG_SQL_TIME = 0x0D;
  static final byte TAG_SQL_TIMESTAMP = 0x0E;
  static final byte TAG_UUID = 0x0F;
  static final byte TAG_LOCAL_DATE = 0x10;
  static final byte TAG_LOCAL_TIME = 0x11;
  static final byte TAG_LOCAL_DATE_TIME = 0x12;
  static final byte TAG_OFFSET_DATE_TIME = 0x13;
  static final byte TAG_INSTANT = 0x14;

  private static final long NANOS_PER_MILLI = 1_000_000L;

  private ValueCodec() {}

  /**
   * Encodes {@code value} as {@code tag | value bytes}.
   *
   * @param value a value of one of the supported types, not {@code null}
   * @return a fresh array; the caller may zero it after use
   * @throws SQLException (SQLState 22023) if the type is not supported or a string contains an
   *     unpaired surrogate
   * @throws NullPointerException if {@code value} is {@code null}
   */
  public static byte[] encode(Object value) throws SQLException {
    Objects.requireNonNull(value, "value");
    if (value instanceof String s) {
      return encodeString(s);
    }
    if (value instanceof Integer i) {
      return allocate(TAG_INTEGER, 4).putInt(i).array();
    }
    if (value instanceof Long l) {
      return allocate(TAG_LONG, 8).putLong(l).array();
    }
    if (value instanceof Short s) {
      return allocate(TAG_SHORT, 2).putShort(s).array();
    }
    if (value instanceof Byte b) {
      return new byte[] {TAG_BYTE, b};
    }
    if (value instanceof Boolean b) {
      return new byte[] {TAG_BOOLEAN, (byte) (b ? 1 : 0)};
    }
    if (value instanceof Double d) {
      return allocate(TAG_DOUBLE, 8).putLong(Double.doubleToRawLongBits(d)).array();
    }
    if (value instanceof Float f) {
      return allocate(TAG_FLOAT, 4).putInt(Float.floatToRawIntBits(f)).array();
    }
    if (value instanceof BigDecimal d) {
      byte[] unscaled = d.unscaledValue().toByteArray();
      return allocate(TAG_BIG_DECIMAL, 4 + unscaled.length).putInt(d.scale()).put(unscaled).array();
    }
    if (value instanceof BigInteger i) {
      byte[] bytes = i.toByteArray();
      return allocate(TAG_BIG_INTEGER, bytes.length).put(bytes).array();
    }
    if (value instanceof byte[] bytes) {
      return allocate(TAG_BYTES, bytes.length).put(bytes).array();
    }
    // java.sql.Timestamp, Date and Time all extend java.util.Date; test each exact kind.
    if (value instanceof java.sql.Timestamp ts) {
      return putLocalDateTime(allocate(TAG_SQL_TIMESTAMP, 16), ts.toLocalDateTime()).array();
    }
    if (value instanceof java.sql.Date d) {
      return allocate(TAG_SQL_DATE, 8).putLong(d.toLocalDate().toEpochDay()).array();
    }
    if (value instanceof java.sql.Time t) {
      return allocate(TAG_SQL_TIME, 8).putLong(localTimeOf(t).toNanoOfDay()).array();
    }
    if (value instanceof UUID u) {
      return allocate(TAG_UUID, 16)
          .putLong(u.getMostSignificantBits())
          .putLong(u.getLeastSignificantBits())
          .array();
    }
    if (value instanceof LocalDate d) {
      return allocate(TAG_LOCAL_DATE, 8).putLong(d.toEpochDay()).array();
    }
    if (value instanceof LocalTime t) {
      return allocate(TAG_LOCAL_TIME, 8).putLong(t.toNanoOfDay()).array();
    }
    if (value instanceof LocalDateTime t) {
      return putLocalDateTime(allocate(TAG_LOCAL_DATE_TIME, 16), t).array();
    }
    if (value instanceof OffsetDateTime t) {
      return allocate(TAG_OFFSET_DATE_TIME, 16)
          .putLong(t.toEpochSecond())
          .putInt(t.getNano())
          .putInt(t.getOffset().getTotalSeconds())
          .array();
    }
    if (value instanceof Instant t) {
      return allocate(TAG_INSTANT, 12).putLong(t.getEpochSecond()).putInt(t.getNano()).array();
    }
    throw new SQLException(
        "Unsupported Java type for an encrypted column: "
            + value.getClass().getName()
            + " (supported: String, Integer, Long, Short, Byte, Boolean, Double, Float,"
            + " BigDecimal, BigInteger, byte[], java.sql.Date, java.sql.Time,"
            + " java.sql.Timestamp, UUID, LocalDate, LocalTime, LocalDateTime, OffsetDateTime,"
            + " Instant)",
        SQLSTATE_INVALID_PARAMETER);
  }

  /**
   * Decodes the output of {@link #encode}, returning a value of the original Java type.
   *
   * @param plaintext {@code tag | value bytes}, not {@code null}; not modified
   * @return the value (arrays are fresh copies)
   * @throws SQLException (SQLState 22000) if the tag is unknown or the length or content does not
   *     fit the tag; the message never contains the value
   * @throws NullPointerException if {@code plaintext} is {@code null}
   */
  public static Object decode(byte[] plaintext) throws SQLException {
    Objects.requireNonNull(plaintext, "plaintext");
    if (plaintext.length == 0) {
      throw malformed("it is empty");
    }
    byte tag = plaintext[0];
    int length = plaintext.length - 1;
    ByteBuffer in = ByteBuffer.wrap(plaintext, 1, length);
    try {
      switch (tag) {
        case TAG_STRING:
          return decodeString(in);
        case TAG_INTEGER:
          expectLength(tag, length, 4);
          return in.getInt();
        case TAG_LONG:
          expectLength(tag, length, 8);
          return in.getLong();
        case TAG_SHORT:
          expectLength(tag, length, 2);
          return in.getShort();
        case TAG_BYTE:
          expectLength(tag, length, 1);
          return in.get();
        case TAG_BOOLEAN:
          expectLength(tag, length, 1);
          byte b = in.get();
          if (b != 0 && b != 1) {
            throw malformed("a Boolean must be stored as 0 or 1");
          }
          return b == 1;
        case TAG_DOUBLE:
          expectLength(tag, length, 8);
          return Double.longBitsToDouble(in.getLong());
        case TAG_FLOAT:
          expectLength(tag, length, 4);
          return Float.intBitsToFloat(in.getInt());
        case TAG_BIG_DECIMAL:
          if (length < 5) {
            throw malformed("a BigDecimal needs at least 5 bytes");
          }
          int scale = in.getInt();
          return new BigDecimal(new BigInteger(plaintext, 5, length - 4), scale);
        case TAG_BIG_INTEGER:
          if (length < 1) {
            throw malformed("a BigInteger needs at least 1 byte");
          }
          return new BigInteger(plaintext, 1, length);
        case TAG_BYTES:
          byte[] bytes = new byte[length];
          in.get(bytes);
          return bytes;
        case TAG_SQL_DATE:
          expectLength(tag, length, 8);
          return java.sql.Date.valueOf(LocalDate.ofEpochDay(in.getLong()));
        case TAG_SQL_TIME:
          expectLength(tag, length, 8);
          return sqlTimeOf(LocalTime.ofNanoOfDay(in.getLong()));
        case TAG_SQL_TIMESTAMP:
          expectLength(tag, length, 16);
          return java.sql.Timestamp.valueOf(getLocalDateTime(in));
        case TAG_UUID:
          expectLength(tag, length, 16);
          return new UUID(in.getLong(), in.getLong());
        case TAG_LOCAL_DATE:
          expectLength(tag, length, 8);
          return LocalDate.ofEpochDay(in.getLong());
        case TAG_LOCAL_TIME:
          expectLength(tag, length, 8);
          return LocalTime.ofNanoOfDay(in.getLong());
        case TAG_LOCAL_DATE_TIME:
          expectLength(tag, length, 16);
          return getLocalDateTime(in);
        case TAG_OFFSET_DATE_TIME:
          {
            expectLength(tag, length, 16);
            long seconds = in.getLong();
            int nanos = checkNanos(in.getInt());
            ZoneOffset offset = ZoneOffset.ofTotalSeconds(in.getInt());
            return OffsetDateTime.ofInstant(Instant.ofEpochSecond(seconds, nanos), offset);
          }
        case TAG_INSTANT:
          {
            expectLength(tag, length, 12);
            long seconds = in.getLong();
            return Instant.ofEpochSecond(seconds, checkNanos(in.getInt()));
          }
        default:
          throw malformed(String.format("unknown type tag 0x%02X", tag & 0xff));
      }
    } catch (DateTimeException | ArithmeticException | IllegalArgumentException e) {
      // Out-of-range date/time fields etc. Do not chain: JDK messages may quote field values.
      throw malformed("a date/time or numeric field is out of range");
    }
  }

  /** Returns the local time shown by {@code t}, including its milliseconds. */
  static LocalTime localTimeOf(java.sql.Time t) {
    int millis = (int) Math.floorMod(t.getTime(), 1000L);
    return t.toLocalTime().withNano((int) (millis * NANOS_PER_MILLI));
  }

  /**
   * Returns a {@code java.sql.Time} on 1970-01-01 showing {@code t} in the JVM default time zone,
   * keeping milliseconds ({@code java.sql.Time} cannot hold finer precision).
   */
  static java.sql.Time sqlTimeOf(LocalTime t) {
    java.sql.Time whole = java.sql.Time.valueOf(t.withNano(0));
    return new java.sql.Time(whole.getTime() + t.getNano() / NANOS_PER_MILLI);
  }

  private static byte[] encodeString(String s) throws SQLException {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new SQLException(
            "Cannot encode java.lang.String for an encrypted column: it contains an unpaired"
                + " UTF-16 surrogate at index "
                + i,
            SQLSTATE_INVALID_PARAMETER);
      }
    }
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[utf8.length + 1];
    out[0] = TAG_STRING;
    System.arraycopy(utf8, 0, out, 1, utf8.length);
    java.util.Arrays.fill(utf8, (byte) 0);
    return out;
  }

  private static String decodeString(ByteBuffer in) throws SQLException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(in)
          .toString();
    } catch (CharacterCodingException e) {
      throw malformed("a String is not valid UTF-8");
    }
  }

  private static ByteBuffer allocate(byte tag, int length) {
    return ByteBuffer.allocate(1 + length).put(tag);
  }

  private static ByteBuffer putLocalDateTime(ByteBuffer out, LocalDateTime t) {
    return out.putLong(t.toLocalDate().toEpochDay()).putLong(t.toLocalTime().toNanoOfDay());
  }

  private static LocalDateTime getLocalDateTime(ByteBuffer in) {
    LocalDate date = LocalDate.ofEpochDay(in.getLong());
    return LocalDateTime.of(date, LocalTime.ofNanoOfDay(in.getLong()));
  }

  private static int checkNanos(int nanos) throws SQLException {
    if (nanos < 0 || nanos > 999_999_999) {
      throw malformed("a nanosecond field is out of range");
    }
    return nanos;
  }

  private static void expectLength(byte tag, int actual, int expected) throws SQLException {
    if (actual != expected) {
      throw malformed(
          String.format(
              "type tag 0x%02X needs %d value bytes, found %d", tag & 0xff, expected, actual));
    }
  }

  private static SQLException malformed(String reason) {
    return new SQLException("Malformed encoded value: " + reason, SQLSTATE_MALFORMED);
  }
}

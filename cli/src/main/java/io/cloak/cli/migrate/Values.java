package io.cloak.cli.migrate;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/** Reading values from result sets and their canonical, engine-independent text. */
final class Values {
  private Values() {}

  /** A column value with large objects read into memory (one row at a time). */
  static Object read(ResultSet rs, int index) throws SQLException {
    Object v = rs.getObject(index);
    if (v instanceof Clob clob) {
      long n = clob.length();
      String s = clob.getSubString(1, (int) n);
      clob.free();
      return s;
    }
    if (v instanceof Blob blob) {
      long n = blob.length();
      byte[] b = blob.getBytes(1, (int) n);
      blob.free();
      return b;
    }
    return v;
  }

  /** Whether Cloak can encrypt a value of this class keeping its type. */
  static boolean encryptable(Object v) {
    return v == null
        || v instanceof String
        || v instanceof Integer
        || v instanceof Long
        || v instanceof Short
        || v instanceof Byte
        || v instanceof Boolean
        || v instanceof Double
        || v instanceof Float
        || v instanceof BigDecimal
        || v instanceof BigInteger
        || v instanceof byte[]
        || v instanceof java.util.Date
        || v instanceof UUID
        || v instanceof LocalDate
        || v instanceof LocalTime
        || v instanceof LocalDateTime
        || v instanceof OffsetDateTime
        || v instanceof Instant;
  }

  /** Canonical text of a value: equal values read from the source and the target are equal. */
  static String canonical(Object v) throws SQLException {
    if (v == null) {
      return "N";
    }
    if (v instanceof byte[] b) {
      return "B" + HexFormat.of().formatHex(b);
    }
    if (v instanceof String s) {
      return "S" + s;
    }
    if (v instanceof BigDecimal d) {
      return "D" + d.toPlainString();
    }
    if (v instanceof Number n) {
      return "#" + n;
    }
    if (v instanceof Boolean b) {
      return "Z" + b;
    }
    if (v instanceof java.sql.Array a) {
      Object[] items = (Object[]) a.getArray();
      StringBuilder sb = new StringBuilder("A[");
      for (Object item : items) {
        String c = canonical(item);
        sb.append(c.length()).append(':').append(c);
      }
      return sb.append(']').toString();
    }
    if (v instanceof java.util.Date
        || v instanceof java.time.temporal.Temporal
        || v instanceof UUID) {
      return "T" + v;
    }
    return "S" + v;
  }

  /** Canonical text of a row, by column name. */
  static String canonicalRow(List<String> names, Object[] values) throws SQLException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < names.size(); i++) {
      String c = canonical(values[i]);
      sb.append(names.get(i)).append('=').append(c.length()).append(':').append(c).append(';');
    }
    return sb.toString();
  }

  /** The first 8 bytes of SHA-256 of the text, as a long. */
  static long hash64(String text) {
    byte[] h = sha256().digest(text.getBytes(StandardCharsets.UTF_8));
    long x = 0;
    for (int i = 0; i < 8; i++) {
      x = (x << 8) | (h[i] & 0xff);
    }
    return x;
  }

  private static final ThreadLocal<MessageDigest> SHA =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException(e);
            }
          });

  private static MessageDigest sha256() {
    MessageDigest md = SHA.get();
    md.reset();
    return md;
  }
}

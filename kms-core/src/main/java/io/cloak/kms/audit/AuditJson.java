package io.cloak.kms.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.cloak.internal.IsoInstants;
import io.cloak.internal.JsonValues;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Line format shared by {@link AuditLog} and {@link AuditVerifier}. Stateless, thread-safe.
 *
 * <p>Uses Jackson's streaming API only: the KMS opens the audit log while the agent starts, and
 * jackson-databind would cost that start-up the loading of hundreds of classes. The output is the
 * one {@code ObjectMapper} wrote for the same tree (same generator, same escaping), which matters
 * because the hash chain hashes the exact line bytes.
 */
final class AuditJson {

  /** The JSON keys of every line, in their fixed order. */
  static final List<String> FIELDS =
      List.of(
          "seq",
          "time",
          "principal",
          "op",
          "key",
          "keyVersion",
          "context",
          "outcome",
          "detail",
          "prev");

  /** The {@code prev} of the first line, and the head hash of an empty log. */
  static final String GENESIS = "0".repeat(64);

  /** Lines longer than this (excluding the newline) are refused on append and malformed on read. */
  static final int MAX_LINE_BYTES = 1 << 20;

  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
  private static final Set<String> OUTCOMES =
      Set.of(AuditRecord.ALLOWED, AuditRecord.DENIED, AuditRecord.FAILED);

  /** Duplicate keys anywhere in a line are refused by the parser itself. */
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private AuditJson() {}

  /** What the chain needs from a parsed line. */
  record Parsed(long seq, String prev) {}

  /** A line's content is not a well-formed audit entry; the message says why. */
  static final class MalformedLineException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedLineException(String message) {
      super(message);
    }
  }

  /** Serializes one line (no trailing newline) as compact UTF-8 JSON in the fixed field order. */
  static byte[] encode(long seq, AuditRecord r, String prev) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("seq", seq);
      g.writeStringField("time", IsoInstants.format(r.time())); // ISO-8601, always UTC ("...Z")
      g.writeStringField("principal", r.principal());
      g.writeStringField("op", r.operation());
      g.writeStringField("key", r.keyId()); // a null string is written as null
      if (r.keyVersion() == null) {
        g.writeNullField("keyVersion");
      } else {
        g.writeNumberField("keyVersion", r.keyVersion().intValue());
      }
      g.writeObjectFieldStart("context");
      for (Map.Entry<String, String> e : r.encryptionContext().entrySet()) { // already sorted
        g.writeStringField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeStringField("outcome", r.outcome());
      g.writeStringField("detail", r.detail());
      g.writeStringField("prev", prev);
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize audit line", e);
    }
    return out.toByteArray();
  }

  /** Parses and strictly validates a line (without its newline). */
  static Parsed parse(byte[] line) throws MalformedLineException {
    Map<String, Member> root = read(line);
    if (root == null) {
      throw new MalformedLineException("not a JSON object");
    }
    List<String> names = new ArrayList<>(root.keySet());
    if (!names.equals(FIELDS)) {
      throw new MalformedLineException("fields are " + names + ", expected " + FIELDS);
    }
    Member seq = root.get("seq");
    if (!seq.fitsLong() || seq.number() < 1) {
      throw new MalformedLineException("seq is not a positive integer");
    }
    try {
      IsoInstants.parse(requireText(root, "time"));
    } catch (DateTimeParseException e) {
      throw new MalformedLineException("time is not an ISO-8601 instant");
    }
    requireText(root, "principal");
    requireText(root, "op");
    requireTextOrNull(root, "key");
    Member keyVersion = root.get("keyVersion");
    if (keyVersion.token() != JsonToken.VALUE_NULL
        && !(keyVersion.fitsInt() && keyVersion.number() >= 0)) {
      throw new MalformedLineException("keyVersion is not a non-negative integer or null");
    }
    Member context = root.get("context");
    if (context.token() != JsonToken.START_OBJECT) {
      throw new MalformedLineException("context is not an object");
    }
    if (context.problem() != null) {
      throw new MalformedLineException(context.problem());
    }
    if (!OUTCOMES.contains(requireText(root, "outcome"))) {
      throw new MalformedLineException("outcome is not ALLOWED, DENIED or FAILED");
    }
    requireTextOrNull(root, "detail");
    String prev = requireText(root, "prev");
    if (!HASH.matcher(prev).matches()) {
      throw new MalformedLineException("prev is not 64 lowercase hex digits");
    }
    return new Parsed(seq.number(), prev);
  }

  /**
   * A top-level member of a line: its first token; for an integer its value and whether it fits a
   * long and an int; for a string its text; for an object the first problem of its entries as
   * context entries (a value that is not a string, or keys not strictly sorted), or null.
   */
  private record Member(
      JsonToken token,
      boolean fitsLong,
      boolean fitsInt,
      long number,
      String text,
      String problem) {}

  /**
   * Reads the whole line, so that a syntax error anywhere (duplicate keys and trailing tokens
   * included) is reported as such before any field is looked at.
   *
   * @return the members of the root object in their order, or null if the root is not an object
   */
  private static Map<String, Member> read(byte[] line) throws MalformedLineException {
    try (JsonParser p = JSON.createParser(line)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return null;
      }
      Map<String, Member> members = null;
      if (t == JsonToken.START_OBJECT) {
        members = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          members.put(name, member(p, p.nextToken()));
        }
      } else {
        JsonValues.skipValue(p, t);
      }
      if (p.nextToken() != null) {
        throw new MalformedLineException("not valid JSON");
      }
      return members;
    } catch (IOException e) {
      throw new MalformedLineException("not valid JSON");
    }
  }

  private static Member member(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case VALUE_NUMBER_INT:
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          BigInteger big = p.getBigIntegerValue();
          return new Member(t, big.bitLength() < 64, false, big.longValue(), null, null);
        }
        long n = p.getLongValue();
        boolean fitsInt = p.getNumberType() == JsonParser.NumberType.INT;
        return new Member(t, true, fitsInt, n, null, null);
      case VALUE_STRING:
        return new Member(t, false, false, 0, p.getText(), null);
      case START_OBJECT:
        return new Member(t, false, false, 0, null, contextProblem(p));
      default:
        JsonValues.skipValue(p, t);
        return new Member(t, false, false, 0, null, null);
    }
  }

  /** Reads the entries of an object up to its end; returns the first one unfit for a context. */
  private static String contextProblem(JsonParser p) throws IOException {
    String problem = null;
    String last = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken value = p.nextToken();
      JsonValues.skipValue(p, value);
      if (problem == null) {
        if (value != JsonToken.VALUE_STRING) {
          problem = "context value is not a string";
        } else if (last != null && last.compareTo(key) >= 0) {
          problem = "context keys are not sorted";
        }
        last = key;
      }
    }
    return problem;
  }

  private static String requireText(Map<String, Member> root, String field)
      throws MalformedLineException {
    Member m = root.get(field);
    if (m.token() != JsonToken.VALUE_STRING) {
      throw new MalformedLineException(field + " is not a string");
    }
    return m.text();
  }

  private static void requireTextOrNull(Map<String, Member> root, String field)
      throws MalformedLineException {
    JsonToken t = root.get(field).token();
    if (t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NULL) {
      throw new MalformedLineException(field + " is not a string or null");
    }
  }

  /** Lowercase hex SHA-256 of {@code bytes}. */
  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** Normalizes a caller-supplied hash to lowercase, or rejects it. */
  static String requireHash(String hash) {
    String h = hash.toLowerCase(Locale.ROOT);
    if (!HASH.matcher(h).matches()) {
      throw new IllegalArgumentException("not a hex SHA-256 hash: " + hash);
    }
    return h;
  }

  /** One line read from a file: its bytes without the newline. */
  record Line(byte[] bytes, boolean terminated, boolean tooLong) {}

  /**
   * Reads {@code '\n'}-terminated lines from a channel, from position 0 up to a fixed limit,
   * holding at most one line (capped at {@link #MAX_LINE_BYTES}) in memory. Not thread-safe.
   */
  static final class LineReader {
    private final FileChannel channel;
    private final long limit;
    private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024).flip();
    private long pos;

    LineReader(FileChannel channel, long limit) {
      this.channel = channel;
      this.limit = limit;
    }

    /** Returns the next line, or null at the end. */
    Line next() throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      boolean any = false;
      boolean tooLong = false;
      while (true) {
        if (!buf.hasRemaining() && !fill()) {
          if (!any) {
            return null;
          }
          return new Line(tooLong ? null : out.toByteArray(), false, tooLong);
        }
        any = true;
        byte b = buf.get();
        if (b == '\n') {
          return new Line(tooLong ? null : out.toByteArray(), true, tooLong);
        }
        if (!tooLong) {
          if (out.size() >= MAX_LINE_BYTES) {
            tooLong = true;
            out = new ByteArrayOutputStream(0);
          } else {
            out.write(b);
          }
        }
      }
    }

    private boolean fill() throws IOException {
      if (pos >= limit) {
        return false;
      }
      buf.clear();
      if (limit - pos < buf.capacity()) {
        buf.limit((int) (limit - pos));
      }
      int n = channel.read(buf, pos);
      buf.flip();
      if (n <= 0) {
        return false;
      }
      pos += n;
      return true;
    }
  }
}

package io.cloak.kms.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Line format shared by {@link AuditLog} and {@link AuditVerifier}. Stateless, thread-safe. */
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

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

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
    ObjectNode n = MAPPER.createObjectNode(); // keeps insertion order
    n.put("seq", seq);
    n.put("time", r.time().toString()); // ISO-8601, always UTC ("...Z")
    n.put("principal", r.principal());
    n.put("op", r.operation());
    n.put("key", r.keyId());
    n.put("keyVersion", r.keyVersion());
    ObjectNode ctx = n.putObject("context");
    r.encryptionContext().forEach(ctx::put); // already sorted
    n.put("outcome", r.outcome());
    n.put("detail", r.detail());
    n.put("prev", prev);
    try {
      return MAPPER.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize audit line", e);
    }
  }

  /** Parses and strictly validates a line (without its newline). */
  static Parsed parse(byte[] line) throws MalformedLineException {
    JsonNode root;
    try {
      root = MAPPER.readTree(line);
    } catch (IOException e) {
      throw new MalformedLineException("not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new MalformedLineException("not a JSON object");
    }
    List<String> names = new ArrayList<>();
    root.fieldNames().forEachRemaining(names::add);
    if (!names.equals(FIELDS)) {
      throw new MalformedLineException("fields are " + names + ", expected " + FIELDS);
    }
    JsonNode seq = root.get("seq");
    if (!seq.isIntegralNumber() || !seq.canConvertToLong() || seq.asLong() < 1) {
      throw new MalformedLineException("seq is not a positive integer");
    }
    requireText(root, "time");
    try {
      Instant.parse(root.get("time").asText());
    } catch (DateTimeParseException e) {
      throw new MalformedLineException("time is not an ISO-8601 instant");
    }
    requireText(root, "principal");
    requireText(root, "op");
    requireTextOrNull(root, "key");
    JsonNode keyVersion = root.get("keyVersion");
    if (!keyVersion.isNull() && !(keyVersion.isInt() && keyVersion.asInt() >= 0)) {
      throw new MalformedLineException("keyVersion is not a non-negative integer or null");
    }
    JsonNode context = root.get("context");
    if (!context.isObject()) {
      throw new MalformedLineException("context is not an object");
    }
    String last = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = context.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new MalformedLineException("context value is not a string");
      }
      if (last != null && last.compareTo(e.getKey()) >= 0) {
        throw new MalformedLineException("context keys are not sorted");
      }
      last = e.getKey();
    }
    requireText(root, "outcome");
    if (!OUTCOMES.contains(root.get("outcome").asText())) {
      throw new MalformedLineException("outcome is not ALLOWED, DENIED or FAILED");
    }
    requireTextOrNull(root, "detail");
    requireText(root, "prev");
    String prev = root.get("prev").asText();
    if (!HASH.matcher(prev).matches()) {
      throw new MalformedLineException("prev is not 64 lowercase hex digits");
    }
    return new Parsed(seq.asLong(), prev);
  }

  private static void requireText(JsonNode root, String field) throws MalformedLineException {
    if (!root.get(field).isTextual()) {
      throw new MalformedLineException(field + " is not a string");
    }
  }

  private static void requireTextOrNull(JsonNode root, String field) throws MalformedLineException {
    JsonNode v = root.get(field);
    if (!v.isTextual() && !v.isNull()) {
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

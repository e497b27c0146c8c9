package io.cloak.kms;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A string map bound to a ciphertext as associated data. Decryption succeeds only with exactly the
 * same map (keys and values are case-sensitive; order does not matter). The context is not secret:
 * it appears in the audit log. Immutable and thread-safe.
 *
 * <p>The {@linkplain #canonicalBytes() canonical encoding} is length-prefixed, so contexts that
 * would collide under plain concatenation (for example {@code {"ab":"c"}} and {@code {"a":"bc"}})
 * encode differently.
 */
public final class EncryptionContext {
  private static final EncryptionContext EMPTY = new EncryptionContext(new TreeMap<>());

  private final Map<String, String> entries;

  private EncryptionContext(TreeMap<String, String> entries) {
    this.entries = Collections.unmodifiableMap(entries);
  }

  public static EncryptionContext empty() {
    return EMPTY;
  }

  /**
   * A context holding a copy of {@code map}.
   *
   * @throws KmsValidationException if a key or value is null
   */
  public static EncryptionContext of(Map<String, String> map) {
    if (map == null || map.isEmpty()) {
      return EMPTY;
    }
    TreeMap<String, String> copy = new TreeMap<>();
    for (Map.Entry<String, String> e : map.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new KmsValidationException("encryption context keys and values must not be null");
      }
      copy.put(e.getKey(), e.getValue());
    }
    return new EncryptionContext(copy);
  }

  /** A context with the given alternating keys and values. */
  public static EncryptionContext of(String... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new KmsValidationException("encryption context needs key/value pairs");
    }
    TreeMap<String, String> map = new TreeMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(
          Objects.requireNonNull(keysAndValues[i]), Objects.requireNonNull(keysAndValues[i + 1]));
    }
    return of(map);
  }

  /** The entries, sorted by key; unmodifiable. */
  public Map<String, String> asMap() {
    return entries;
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * Unambiguous encoding: a 4-byte big-endian entry count, then for each entry in key order the
   * 4-byte length and UTF-8 bytes of the key, then of the value.
   */
  public byte[] canonicalBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeInt(out, entries.size());
    for (Map.Entry<String, String> e : entries.entrySet()) {
      writeString(out, e.getKey());
      writeString(out, e.getValue());
    }
    return out.toByteArray();
  }

  private static void writeString(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeInt(out, b.length);
    out.writeBytes(b);
  }

  private static void writeInt(ByteArrayOutputStream out, int v) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncryptionContext other && entries.equals(other.entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return entries.toString();
  }
}

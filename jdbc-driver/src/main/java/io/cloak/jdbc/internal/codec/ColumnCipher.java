package io.cloak.jdbc.internal.codec;

import io.cloak.config.EncryptionMode;
import io.cloak.crypto.AesGcm;
import io.cloak.crypto.AesSiv;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * Encrypts and decrypts the values of one encrypted column.
 *
 * <h2>Binary value format (format version 1)</h2>
 *
 * <pre>
 * offset  length  content
 *      0       1  magic 0xC1
 *      1       1  magic 0x0A
 *      2       1  format version: 0x01
 *      3       1  mode: 0x01 randomized, 0x02 deterministic
 *      4       4  data-key version, big-endian (signed int)
 *      8       n  payload
 * </pre>
 *
 * <p>The first 8 bytes are the <em>header</em>. The payload encrypts {@link ValueCodec#encode
 * ValueCodec.encode(value)} (1-byte type tag + value) under the {@link ColumnKey} of the header's
 * data-key version:
 *
 * <ul>
 *   <li>randomized: AES-256-GCM output {@code nonce (12) | ciphertext | tag (16)}, a fresh random
 *       nonce per value, so encrypting the same value twice gives different results;
 *   <li>deterministic: AES-256-SIV output {@code SIV (16) | ciphertext}, so equal values in the
 *       same binding give equal results (which is what makes equality search work).
 * </ul>
 *
 * <p>The associated data authenticated with the payload is {@code UTF-8("cloak column v1") | 4-byte
 * big-endian length of the binding's UTF-8 | UTF-8(binding) | the 8 header bytes}. The binding is
 * the identity the value belongs to (the driver passes the canonical lower-case {@code
 * "table.column"}, or {@code "group:NAME"} for a join group), so a value copied to another column
 * or table, or with any header or payload byte changed, fails to decrypt.
 *
 * <p>Text form, for character columns: {@value #TEXT_PREFIX} followed by standard base64 (RFC 4648
 * section 4, no padding, no line breaks) of the binary form. Deterministic values therefore also
 * have identical text forms. Sizes: see {@link #binaryLength} and {@link #textLength}.
 *
 * <h2>Errors</h2>
 *
 * <p>Decryption failures are {@link SQLException}s with SQLState {@value #SQLSTATE_DECRYPT} ("data
 * exception") whose message names the column ({@code table.column}) and the reason: not Cloak
 * ciphertext, truncated, unknown format version, unknown or mismatched mode, authentication failed
 * (changed, or copied from another column or table), or a malformed decrypted value. Failures of
 * {@link ColumnKeys} (such as an unknown data-key version) are rethrown with the column prepended
 * to the message and their SQLState and vendor code kept. Encryption of an unsupported Java type
 * fails with SQLState {@value ValueCodec#SQLSTATE_INVALID_PARAMETER}. Messages never contain
 * plaintext, key material or the stored value.
 *
 * <p>Thread-safety: immutable and thread-safe, provided the {@link ColumnKeys} is.
 */
public final class ColumnCipher {

  /** Prefix of the text form; the "1" is the format version. */
  public static final String TEXT_PREFIX = "$ck1$";

  /** Length of the binary header: magic (2), format version, mode, data-key version (4). */
  public static final int HEADER_LENGTH = 8;

  /** SQLState of decryption failures: "data exception". */
  public static final String SQLSTATE_DECRYPT = "22000";

  // Same class ("data exception") for the rare encryption-side failures.
  static final String SQLSTATE_ENCRYPT = "22000";

  static final byte MAGIC_0 = (byte) 0xC1;
  static final byte MAGIC_1 = (byte) 0x0A;
  static final byte FORMAT_VERSION = 0x01;
  static final byte MODE_RANDOMIZED = 0x01;
  static final byte MODE_DETERMINISTIC = 0x02;

  private static final int GCM_OVERHEAD = AesGcm.NONCE_LENGTH + AesGcm.TAG_LENGTH;
  private static final int SIV_OVERHEAD = 16;
  private static final byte[] AD_LABEL = "cloak column v1".getBytes(StandardCharsets.UTF_8);
  private static final Base64.Encoder BASE64 = Base64.getEncoder().withoutPadding();
  private static final byte[] TEXT_PREFIX_BYTES =
      TEXT_PREFIX.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final Base64.Decoder BASE64_DECODER = Base64.getDecoder();

  private final String tableLabel;
  private final String columnLabel;
  private final String binding;
  private final EncryptionMode mode;
  private final ColumnKeys keys;
  private final byte modeByte;
  private final String where;
  // AD_LABEL | length | binding; the header is appended per value.
  private final byte[] adPrefix;
  // Header and associated data of the key last used to encrypt, and of the key last used to
  // decrypt: both depend only on the key's version, so they are built once per key, not per value.
  private volatile KeyState encryptState;
  private volatile KeyState decryptState;

  /** A key with its header and associated data; the arrays are never modified once built. */
  record KeyState(ColumnKey key, byte[] header, byte[] associatedData) {}

  /**
   * Creates a cipher for one column.
   *
   * @param tableLabel the table name as shown in error messages
   * @param columnLabel the column name as shown in error messages
   * @param binding the identity bound into every value's associated data: canonical lower-case
   *     {@code "table.column"}, or {@code "group:NAME"} for a join group; must not be empty
   * @param mode the column's encryption mode
   * @param keys the source of data keys
   * @throws NullPointerException if any argument is {@code null}
   * @throws IllegalArgumentException if {@code binding} is empty
   */
  public ColumnCipher(
      String tableLabel, String columnLabel, String binding, EncryptionMode mode, ColumnKeys keys) {
    this.tableLabel = Objects.requireNonNull(tableLabel, "tableLabel");
    this.columnLabel = Objects.requireNonNull(columnLabel, "columnLabel");
    this.binding = Objects.requireNonNull(binding, "binding");
    this.mode = Objects.requireNonNull(mode, "mode");
    this.keys = Objects.requireNonNull(keys, "keys");
    if (binding.isEmpty()) {
      throw new IllegalArgumentException("binding must not be empty");
    }
    this.modeByte = modeByte(mode);
    this.where = tableLabel.isEmpty() ? columnLabel : tableLabel + "." + columnLabel;
    byte[] bindingBytes = binding.getBytes(StandardCharsets.UTF_8);
    this.adPrefix =
        ByteBuffer.allocate(AD_LABEL.length + 4 + bindingBytes.length)
            .put(AD_LABEL)
            .putInt(bindingBytes.length)
            .put(bindingBytes)
            .array();
  }

  /** Returns the table label used in messages. */
  public String tableLabel() {
    return tableLabel;
  }

  /** Returns the column label used in messages. */
  public String columnLabel() {
    return columnLabel;
  }

  /** Returns the identity bound into the associated data. */
  public String binding() {
    return binding;
  }

  /** The column as named in messages: {@code table.column}, or the column alone. */
  String where() {
    return where;
  }

  /** Returns the column's encryption mode. */
  public EncryptionMode mode() {
    return mode;
  }

  /**
   * Encrypts {@code value} with the current data key into the binary form.
   *
   * @param value a value of a type {@link ValueCodec} supports, or {@code null}
   * @return the binary form, or {@code null} if {@code value} is {@code null}
   * @throws SQLException SQLState 22023 if the type is not supported; the {@link ColumnKeys}
   *     failure if the current key cannot be obtained; SQLState 22000 if encryption fails
   */
  public byte[] encrypt(Object value) throws SQLException {
    return value == null ? null : prepare(value).seal();
  }

  /**
   * Checks and encodes {@code value} and fetches the current data key, leaving only the encryption
   * itself for {@link PendingEncryption#seal()}. Every failure that depends on the value or on the
   * key happens here; {@code seal()} then produces exactly what {@link #encrypt} would.
   *
   * @param value a value of a type {@link ValueCodec} supports
   * @return the value, ready to be encrypted; it holds the encoded plaintext until sealed
   * @throws NullPointerException if {@code value} is {@code null}
   * @throws SQLException as {@link #encrypt}
   */
  public PendingEncryption prepare(Object value) throws SQLException {
    Objects.requireNonNull(value, "value");
    byte[] plaintext;
    try {
      plaintext = ValueCodec.encode(value);
    } catch (SQLException e) {
      throw new SQLException(
          "Cannot encrypt a value for column " + where + ": " + e.getMessage(),
          e.getSQLState(),
          e.getErrorCode(),
          e);
    }
    ColumnKey key;
    try {
      key = keys.current();
    } catch (SQLException e) {
      Arrays.fill(plaintext, (byte) 0);
      throw withColumn("Cannot encrypt a value for column ", e);
    }
    if (key == null) {
      Arrays.fill(plaintext, (byte) 0);
      throw new SQLException(
          "Cannot encrypt a value for column " + where + ": no current data key", SQLSTATE_ENCRYPT);
    }
    int overhead = mode == EncryptionMode.RANDOMIZED ? GCM_OVERHEAD : SIV_OVERHEAD;
    return new PendingEncryption(
        this, encryptState(key), plaintext, HEADER_LENGTH + overhead + plaintext.length);
  }

  /**
   * Encrypts {@code plaintext} under {@code state}'s key into the binary form of {@code length}
   * bytes, then zeroes {@code plaintext}.
   */
  byte[] seal(KeyState state, byte[] plaintext, int length) throws SQLException {
    try {
      ColumnKey key = state.key();
      byte[] ad = state.associatedData();
      // Write the payload straight after the header, without an intermediate payload array.
      if (mode == EncryptionMode.RANDOMIZED && key.randomized() instanceof AesGcm gcm) {
        byte[] out = new byte[length];
        System.arraycopy(state.header(), 0, out, 0, HEADER_LENGTH);
        gcm.encrypt(plaintext, 0, plaintext.length, ad, out, HEADER_LENGTH);
        return out;
      }
      if (mode == EncryptionMode.DETERMINISTIC && key.deterministic() instanceof AesSiv siv) {
        byte[] out = new byte[length];
        System.arraycopy(state.header(), 0, out, 0, HEADER_LENGTH);
        siv.encryptDeterministically(plaintext, 0, plaintext.length, ad, out, HEADER_LENGTH);
        return out;
      }
      byte[] payload =
          mode == EncryptionMode.RANDOMIZED
              ? key.randomized().encrypt(plaintext, ad)
              : key.deterministic().encryptDeterministically(plaintext, ad);
      if (HEADER_LENGTH + payload.length != length) {
        throw new GeneralSecurityException("unexpected ciphertext length");
      }
      byte[] out = new byte[length];
      System.arraycopy(state.header(), 0, out, 0, HEADER_LENGTH);
      System.arraycopy(payload, 0, out, HEADER_LENGTH, payload.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new SQLException(
          "Cannot encrypt a value for column "
              + where
              + ": encryption failed ("
              + e.getClass().getSimpleName()
              + ")",
          SQLSTATE_ENCRYPT,
          e);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /**
   * Encrypts {@code value} into the text form ({@value #TEXT_PREFIX} + base64 of {@link #encrypt}).
   *
   * @return the text form, or {@code null} if {@code value} is {@code null}
   * @throws SQLException as {@link #encrypt}
   */
  public String encryptToText(Object value) throws SQLException {
    byte[] binary = encrypt(value);
    return binary == null ? null : toText(binary);
  }

  /**
   * {@value #TEXT_PREFIX} + standard base64 without padding of {@code binary}. The JDK's encoder is
   * used as it is: for values of 50-70 bytes it measured about twice as fast as a hand-written loop
   * into a preallocated Latin-1 buffer.
   */
  static String toText(byte[] binary) {
    return TEXT_PREFIX.concat(BASE64.encodeToString(binary));
  }

  /** The ASCII bytes of {@link #toText}{@code (binary)}. */
  static byte[] toTextBytes(byte[] binary) {
    byte[] base64 = BASE64.encode(binary);
    byte[] out = new byte[TEXT_PREFIX_BYTES.length + base64.length];
    System.arraycopy(TEXT_PREFIX_BYTES, 0, out, 0, TEXT_PREFIX_BYTES.length);
    System.arraycopy(base64, 0, out, TEXT_PREFIX_BYTES.length, base64.length);
    return out;
  }

  /**
   * Verifies and decrypts a binary stored value.
   *
   * @param stored the stored value, or {@code null}
   * @return the value with its original Java type, or {@code null} if {@code stored} is {@code
   *     null}
   * @throws SQLException SQLState 22000 if the value is not valid Cloak ciphertext for this column
   *     (see the class documentation); the {@link ColumnKeys} failure if the key for the value's
   *     data-key version cannot be obtained
   */
  public Object decrypt(byte[] stored) throws SQLException {
    if (stored == null) {
      return null;
    }
    int n = stored.length;
    if (n == 0 || stored[0] != MAGIC_0 || (n >= 2 && stored[1] != MAGIC_1)) {
      throw decryptError(
          "the stored value is not Cloak ciphertext. If the column still holds plaintext written"
              + " before it was encrypted, set 'allow-plaintext-reads: true' for it during the"
              + " migration window");
    }
    if (n < HEADER_LENGTH) {
      throw decryptError("the stored value is truncated");
    }
    if (stored[2] != FORMAT_VERSION) {
      throw decryptError(
          "the stored value has unknown format version "
              + (stored[2] & 0xff)
              + " (this driver reads version "
              + FORMAT_VERSION
              + "); it may have been written by a newer Cloak version");
    }
    byte storedMode = stored[3];
    if (storedMode != MODE_RANDOMIZED && storedMode != MODE_DETERMINISTIC) {
      throw decryptError("the stored value has an unknown encryption mode");
    }
    if (storedMode != modeByte) {
      throw decryptError(
          "the stored value was encrypted in "
              + (storedMode == MODE_RANDOMIZED ? "RANDOMIZED" : "DETERMINISTIC")
              + " mode, but the column is configured as "
              + mode);
    }
    int payloadLength = n - HEADER_LENGTH;
    int minPayload = mode == EncryptionMode.RANDOMIZED ? GCM_OVERHEAD : SIV_OVERHEAD;
    // An encoded value has at least its 1-byte type tag.
    if (payloadLength < minPayload + 1) {
      throw decryptError("the stored value is truncated");
    }
    int version = ByteBuffer.wrap(stored, 4, 4).getInt();
    ColumnKey key;
    try {
      key = keys.version(version);
    } catch (SQLException e) {
      throw withColumn("Cannot decrypt column ", e);
    }
    if (key == null) {
      throw decryptError("unknown data-key version " + version);
    }
    // The stored header equals the one built from the key's version (magic, format and mode were
    // checked above), so the cached associated data of that key applies.
    byte[] ad =
        key.version() == version
            ? decryptState(key).associatedData()
            : associatedData(Arrays.copyOf(stored, HEADER_LENGTH));
    byte[] plaintext;
    try {
      if (mode == EncryptionMode.RANDOMIZED) {
        if (key.randomized() instanceof AesGcm gcm) {
          plaintext = new byte[payloadLength - GCM_OVERHEAD];
          gcm.decrypt(stored, HEADER_LENGTH, payloadLength, ad, plaintext, 0);
        } else {
          plaintext = key.randomized().decrypt(payload(stored), ad);
        }
      } else if (key.deterministic() instanceof AesSiv siv) {
        plaintext = siv.decryptDeterministically(stored, HEADER_LENGTH, payloadLength, ad);
      } else {
        plaintext = key.deterministic().decryptDeterministically(payload(stored), ad);
      }
    } catch (GeneralSecurityException e) {
      throw new SQLException(
          "Cannot decrypt column "
              + where
              + ": authentication failed: the value was changed, or was copied from another"
              + " column or table",
          SQLSTATE_DECRYPT,
          e);
    }
    try {
      return ValueCodec.decode(plaintext);
    } catch (SQLException e) {
      throw new SQLException(
          "Cannot decrypt column "
              + where
              + ": the decrypted value is malformed ("
              + e.getMessage()
              + ")",
          SQLSTATE_DECRYPT,
          e);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /**
   * Verifies and decrypts a stored value in text form.
   *
   * @param stored the stored text, or {@code null}
   * @return the value with its original Java type, or {@code null} if {@code stored} is {@code
   *     null}
   * @throws SQLException as {@link #decrypt}; also SQLState 22000 if the text does not start with
   *     {@value #TEXT_PREFIX} or is not valid base64
   */
  public Object decryptText(String stored) throws SQLException {
    if (stored == null) {
      return null;
    }
    if (!stored.startsWith(TEXT_PREFIX)) {
      throw decryptError(
          "the stored value is not Cloak ciphertext (it does not start with "
              + TEXT_PREFIX
              + "). If the column still holds plaintext written before it was encrypted, set"
              + " 'allow-plaintext-reads: true' for it during the migration window");
    }
    byte[] binary;
    try {
      binary = BASE64_DECODER.decode(stored.substring(TEXT_PREFIX.length()));
    } catch (IllegalArgumentException e) {
      // Not chained: the JDK message quotes the offending character.
      throw decryptError("the stored value is corrupted (not valid base64 after the prefix)");
    }
    return decrypt(binary);
  }

  /**
   * Returns whether {@code value} looks like a binary value in this format: at least {@value
   * #HEADER_LENGTH} bytes, the magic, format version 1 and a known mode. Used by the driver, when
   * plaintext reads are allowed, to decide whether to decrypt; anything else is treated as
   * plaintext (so a value shorter than the header counts as plaintext too).
   */
  public static boolean isCiphertext(byte[] value) {
    return value != null
        && value.length >= HEADER_LENGTH
        && value[0] == MAGIC_0
        && value[1] == MAGIC_1
        && value[2] == FORMAT_VERSION
        && (value[3] == MODE_RANDOMIZED || value[3] == MODE_DETERMINISTIC);
  }

  /** Returns whether {@code value} starts with the text-form prefix {@value #TEXT_PREFIX}. */
  public static boolean isCiphertext(String value) {
    return value != null && value.startsWith(TEXT_PREFIX);
  }

  /**
   * Returns the binary-form length of a value whose {@link ValueCodec} encoding, without the 1-byte
   * type tag, is {@code plaintextLength} bytes (UTF-8 length for strings, array length for {@code
   * byte[]}, 8 for {@code Long}; see the table in {@link ValueCodec}).
   *
   * @throws IllegalArgumentException if {@code plaintextLength} is negative or the result would not
   *     fit an {@code int}
   * @throws NullPointerException if {@code mode} is {@code null}
   */
  public static int binaryLength(EncryptionMode mode, int plaintextLength) {
    return toInt(binaryLengthLong(mode, plaintextLength));
  }

  /**
   * Returns the text-form length in characters (all ASCII, so also bytes) of a value whose {@link
   * ValueCodec} encoding, without the type tag, is {@code plaintextLength} bytes.
   *
   * @throws IllegalArgumentException if {@code plaintextLength} is negative or the result would not
   *     fit an {@code int}
   * @throws NullPointerException if {@code mode} is {@code null}
   */
  public static int textLength(EncryptionMode mode, int plaintextLength) {
    long binary = binaryLengthLong(mode, plaintextLength);
    return toInt(TEXT_PREFIX.length() + (4 * binary + 2) / 3);
  }

  @Override
  public String toString() {
    return "ColumnCipher[" + where + ", binding=" + binding + ", mode=" + mode + "]";
  }

  private static long binaryLengthLong(EncryptionMode mode, int plaintextLength) {
    Objects.requireNonNull(mode, "mode");
    if (plaintextLength < 0) {
      throw new IllegalArgumentException("plaintextLength must not be negative");
    }
    long overhead = mode == EncryptionMode.RANDOMIZED ? GCM_OVERHEAD : SIV_OVERHEAD;
    return HEADER_LENGTH + overhead + 1L + plaintextLength;
  }

  private static int toInt(long length) {
    if (length > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("encrypted length exceeds " + Integer.MAX_VALUE);
    }
    return (int) length;
  }

  private static byte modeByte(EncryptionMode mode) {
    return switch (mode) {
      case RANDOMIZED -> MODE_RANDOMIZED;
      case DETERMINISTIC -> MODE_DETERMINISTIC;
    };
  }

  private KeyState encryptState(ColumnKey key) {
    KeyState state = encryptState;
    if (state == null || state.key() != key) {
      state = newKeyState(key);
      encryptState = state;
    }
    return state;
  }

  private KeyState decryptState(ColumnKey key) {
    KeyState state = decryptState;
    if (state == null || state.key() != key) {
      state = newKeyState(key);
      decryptState = state;
    }
    return state;
  }

  private KeyState newKeyState(ColumnKey key) {
    byte[] header = header(key.version());
    return new KeyState(key, header, associatedData(header));
  }

  private byte[] header(int version) {
    return ByteBuffer.allocate(HEADER_LENGTH)
        .put(MAGIC_0)
        .put(MAGIC_1)
        .put(FORMAT_VERSION)
        .put(modeByte)
        .putInt(version)
        .array();
  }

  private byte[] associatedData(byte[] header) {
    byte[] ad = Arrays.copyOf(adPrefix, adPrefix.length + HEADER_LENGTH);
    System.arraycopy(header, 0, ad, adPrefix.length, HEADER_LENGTH);
    return ad;
  }

  private static byte[] payload(byte[] stored) {
    return Arrays.copyOfRange(stored, HEADER_LENGTH, stored.length);
  }

  private SQLException decryptError(String reason) {
    return new SQLException("Cannot decrypt column " + where + ": " + reason, SQLSTATE_DECRYPT);
  }

  private SQLException withColumn(String action, SQLException e) {
    return new SQLException(
        action + where + ": " + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
  }
}

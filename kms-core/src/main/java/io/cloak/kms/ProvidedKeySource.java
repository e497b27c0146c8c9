package io.cloak.kms;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Supplies customer-provided keys (key ids {@code provided:NAME}) at run time. Cloak never writes
 * these keys anywhere; it keeps only a salted fingerprint to detect a wrong key. Implementations
 * must be thread-safe and return a fresh array on each call.
 */
@FunctionalInterface
public interface ProvidedKeySource {
  /** The 32-byte key registered under {@code name}, or empty when this source does not know it. */
  Optional<byte[]> keyFor(String name);

  /** A source that knows no key. */
  static ProvidedKeySource none() {
    return name -> Optional.empty();
  }

  /**
   * Reads {@code CLOAK_PROVIDED_KEY_<NAME>} from the environment, where NAME is upper-cased and
   * every character other than a letter or digit becomes {@code _}; the value is 64 hex digits or
   * the base64 of 32 bytes.
   */
  static ProvidedKeySource fromEnvironment() {
    return fromMap(System.getenv());
  }

  /** Like {@link #fromEnvironment()} but over an explicit variable map (tests, embedding). */
  static ProvidedKeySource fromMap(Map<String, String> variables) {
    return name -> {
      String variable = variableName(name);
      String value = variables.get(variable);
      if (value == null || value.isBlank()) {
        return Optional.empty();
      }
      return Optional.of(decodeKey(value.trim(), variable));
    };
  }

  /** The environment variable that holds the provided key {@code name}. */
  static String variableName(String name) {
    return "CLOAK_PROVIDED_KEY_" + name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  private static byte[] decodeKey(String value, String variable) {
    byte[] key;
    try {
      key =
          value.length() == 64 && value.matches("[0-9a-fA-F]+")
              ? HexFormat.of().parseHex(value)
              : Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new KmsValidationException(
          variable + " is neither 64 hex digits nor base64; it must encode exactly 32 bytes");
    }
    if (key.length != 32) {
      throw new KmsValidationException(
          variable + " encodes " + key.length + " bytes; a provided key must be exactly 32 bytes");
    }
    return key;
  }
}

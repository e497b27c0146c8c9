package io.cloak.kms;

import java.util.Objects;

/**
 * Who is calling the KMS. Every operation names its caller explicitly; key policies and the audit
 * log refer to principals by {@link #name()}. Immutable and thread-safe.
 *
 * @param name a non-blank identifier such as {@code user:alice} or {@code app:orders}
 */
public record Principal(String name) {
  /** The principal the local engine uses for its own housekeeping (automatic rotation, purges). */
  public static final Principal SYSTEM = new Principal("cloak:system");

  public Principal {
    Objects.requireNonNull(name, "principal name");
    if (name.isBlank() || name.length() > 256) {
      throw new KmsValidationException("a principal name must be 1-256 non-blank characters");
    }
  }

  public static Principal of(String name) {
    return new Principal(name);
  }

  @Override
  public String toString() {
    return name;
  }
}

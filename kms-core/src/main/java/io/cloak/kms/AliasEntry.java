package io.cloak.kms;

/**
 * An alias and the key it points at. Immutable.
 *
 * @param alias the alias name, always starting with {@code alias/}
 * @param keyId the target key id
 */
public record AliasEntry(String alias, String keyId) {}

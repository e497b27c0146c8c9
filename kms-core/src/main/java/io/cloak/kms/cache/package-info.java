/**
 * Client-side caching of unwrapped data keys, so steady column and file encryption makes no KMS
 * call. Entry point: {@link io.cloak.kms.cache.DataKeyCache}.
 */
package io.cloak.kms.cache;

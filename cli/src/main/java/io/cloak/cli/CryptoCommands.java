package io.cloak.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloak.kms.DataKey;
import io.cloak.kms.Decrypted;
import io.cloak.kms.EncryptionContext;
import io.cloak.kms.KeyManagementService;
import io.cloak.kms.local.LocalKms;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Cryptographic commands: encrypt, decrypt, generate-data-key. */
final class CryptoCommands {
  /** Generous bound on a blob read from stdin; real blobs are under 4.5 KiB. */
  private static final int MAX_BLOB_INPUT = 64 * 1024;

  private static final Pattern BASE64_TEXT = Pattern.compile("[A-Za-z0-9+/=\\s]+");

  private CryptoCommands() {}

  /** The repeatable {@code --context KEY=VALUE} option. */
  static final class ContextOption {
    @Option(
        names = "--context",
        paramLabel = "KEY=VALUE",
        description =
            "Encryption context entry, repeatable. Not secret (it is audited); decryption needs"
                + " exactly the same entries.")
    Map<String, String> entries = new LinkedHashMap<>();

    EncryptionContext context() {
      return EncryptionContext.of(entries);
    }
  }

  /** {@code cloak kms encrypt}. */
  @Command(
      name = "encrypt",
      mixinStandardHelpOptions = true,
      description = {
        "Encrypt standard input (1 to 4096 bytes) under a key; write the ciphertext blob to"
            + " standard output.",
        "For larger data use generate-data-key and encrypt locally with the data key."
      })
  static final class Encrypt extends KmsSubcommand {
    @Option(
        names = "--key",
        paramLabel = "KEY",
        required = true,
        description = KeyCommands.KEY_DESCRIPTION)
    String key;

    @Mixin ContextOption context;

    @Option(names = "--base64", description = "Write the blob as base64 text, not raw bytes.")
    boolean base64;

    @Override
    void execute() throws IOException {
      byte[] plaintext =
          readStdin(
              KeyManagementService.MAX_PLAINTEXT_BYTES,
              "encrypt takes at most "
                  + KeyManagementService.MAX_PLAINTEXT_BYTES
                  + "; for larger data use generate-data-key and encrypt locally with the data"
                  + " key (envelope encryption)");
      byte[] blob;
      try (LocalKms kms = open()) {
        blob = kms.encrypt(principal(), key, plaintext, context.context());
      } finally {
        Arrays.fill(plaintext, (byte) 0);
      }
      if (base64) {
        out().println(Base64.getEncoder().encodeToString(blob));
      } else {
        stdout().write(blob);
      }
    }
  }

  /** {@code cloak kms decrypt}. */
  @Command(
      name = "decrypt",
      mixinStandardHelpOptions = true,
      description =
          "Decrypt a ciphertext blob from standard input; write the plaintext to standard output."
              + " The blob names its key, so no --key is needed.")
  static final class Decrypt extends KmsSubcommand {
    @Mixin ContextOption context;

    @Option(
        names = "--base64",
        description = "Read the blob as base64 text (as written by encrypt --base64).")
    boolean base64;

    @Override
    void execute() throws IOException {
      byte[] input = readStdin(MAX_BLOB_INPUT, "that is too large to be a KMS ciphertext blob");
      if (!base64 && looksLikeBase64(input)) {
        throw new CliException(
            "standard input looks like base64 text, not a raw ciphertext blob; pass --base64");
      }
      byte[] blob = base64 ? decodeBase64(input) : input;
      Decrypted decrypted;
      try (LocalKms kms = open()) {
        decrypted = kms.decrypt(principal(), blob, context.context());
      }
      byte[] plaintext = decrypted.plaintext();
      try {
        stdout().write(plaintext);
      } finally {
        Arrays.fill(plaintext, (byte) 0);
      }
    }

    private static byte[] decodeBase64(byte[] text) {
      String compact = new String(text, StandardCharsets.US_ASCII).replaceAll("\\s+", "");
      try {
        return Base64.getDecoder().decode(compact);
      } catch (IllegalArgumentException e) {
        throw new CliException(
            "standard input is not valid base64 ("
                + e.getMessage()
                + "); without --base64,"
                + " decrypt reads the raw blob",
            e);
      }
    }

    /** A raw blob starts with format byte 1; base64 text of one starts with 'A'. */
    private static boolean looksLikeBase64(byte[] input) {
      return input.length > 0
          && input[0] != 1
          && BASE64_TEXT.matcher(new String(input, StandardCharsets.ISO_8859_1)).matches();
    }
  }

  /** {@code cloak kms generate-data-key}. */
  @Command(
      name = "generate-data-key",
      mixinStandardHelpOptions = true,
      description = {
        "Generate a 256-bit data key wrapped under a master key. Prints JSON with keyId,"
            + " keyVersion, plaintext (base64) and ciphertextBlob (base64).",
        "Store ciphertextBlob beside your data; recover the data key with decrypt."
      })
  static final class GenerateDataKey extends KmsSubcommand {
    @Option(
        names = "--key",
        paramLabel = "KEY",
        required = true,
        description = KeyCommands.KEY_DESCRIPTION)
    String key;

    @Mixin ContextOption context;

    @Option(
        names = "--without-plaintext",
        description = "Print only the wrapped key ({\"ciphertextBlob\": ...}).")
    boolean withoutPlaintext;

    @Override
    void execute() {
      ObjectNode json = Json.object();
      Base64.Encoder b64 = Base64.getEncoder();
      try (LocalKms kms = open()) {
        if (withoutPlaintext) {
          byte[] blob = kms.generateDataKeyWithoutPlaintext(principal(), key, context.context());
          json.put("ciphertextBlob", b64.encodeToString(blob));
        } else {
          DataKey dataKey = kms.generateDataKey(principal(), key, context.context());
          byte[] plaintext = dataKey.plaintext();
          try {
            json.put("keyId", dataKey.keyId());
            json.put("keyVersion", dataKey.keyVersion());
            json.put("plaintext", b64.encodeToString(plaintext));
            json.put("ciphertextBlob", b64.encodeToString(dataKey.ciphertextBlob()));
          } finally {
            Arrays.fill(plaintext, (byte) 0);
            dataKey.destroy();
          }
        }
      }
      out().println(Json.pretty(json));
    }
  }
}

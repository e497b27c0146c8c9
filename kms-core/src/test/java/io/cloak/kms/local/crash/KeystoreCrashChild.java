package io.cloak.kms.local.crash;

import io.cloak.kms.CreateKeyRequest;
import io.cloak.kms.EncryptionContext;
import io.cloak.kms.KeyMetadata;
import io.cloak.kms.KeyOrigin;
import io.cloak.kms.KeyState;
import io.cloak.kms.Principal;
import io.cloak.kms.local.LocalKms;
import io.cloak.kms.local.RootKey;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * The victim process of {@link KeystoreCrashTest}: creates and rotates keys forever until it is
 * killed. After each operation has <em>returned</em> it prints one line to stdout and flushes it,
 * so every line the parent reads is a promise the keystore must keep after a crash:
 *
 * <pre>
 * CREATED &lt;keyId&gt; &lt;base64 blob of plaintext(keyId, 1) under version 1&gt;
 * ROTATED &lt;keyId&gt; &lt;version&gt; &lt;base64 blob of plaintext(keyId, version) under it&gt;
 * </pre>
 *
 * <p>Arguments: keystore path, root-key file, audit log path, random seed, label.
 */
public final class KeystoreCrashChild {
  /** The principal both the child and the parent use, so both may use every key. */
  static final Principal CALLER = Principal.of("app:crash-test");

  private KeystoreCrashChild() {}

  /** The plaintext encrypted under {@code version} of {@code keyId}. */
  static byte[] plaintext(String keyId, int version) {
    return (keyId + "@v" + version).getBytes(StandardCharsets.UTF_8);
  }

  /** The encryption context every blob of {@code keyId} is bound to. */
  static EncryptionContext context(String keyId) {
    return EncryptionContext.of("purpose", "crash-test", "key", keyId);
  }

  public static void main(String[] args) {
    if (args.length != 5) {
      System.err.println("usage: KeystoreCrashChild KEYSTORE ROOT_KEY_FILE AUDIT_LOG SEED LABEL");
      System.exit(2);
    }
    Path keystore = Path.of(args[0]);
    RootKey rootKey = RootKey.fromFile(Path.of(args[1]));
    Path auditLog = Path.of(args[2]);
    Random random = new Random(Long.parseLong(args[3]));
    String label = args[4];
    PrintStream out = System.out;
    Base64.Encoder b64 = Base64.getEncoder();

    LocalKms kms =
        LocalKms.builder().keystore(keystore).rootKey(rootKey).auditLog(auditLog).openOrCreate();
    // Keys from earlier (killed) runs are rotation candidates too.
    List<String> rotatable = new ArrayList<>();
    for (KeyMetadata m : kms.listKeys(CALLER)) {
      if (m.origin() == KeyOrigin.GENERATED
          && m.state() == KeyState.ENABLED
          && CALLER.name().equals(m.creator())) {
        rotatable.add(m.keyId());
      }
    }
    for (long i = 1; ; i++) {
      KeyMetadata created =
          kms.createKey(CALLER, CreateKeyRequest.generated("crash child " + label + " #" + i));
      String keyId = created.keyId();
      byte[] blob = kms.encrypt(CALLER, keyId, plaintext(keyId, 1), context(keyId));
      out.println("CREATED " + keyId + " " + b64.encodeToString(blob));
      out.flush();
      rotatable.add(keyId);

      if (i % 3 == 0) {
        String victim = rotatable.get(random.nextInt(rotatable.size()));
        int version = kms.rotateKeyOnDemand(CALLER, victim).currentVersion();
        byte[] rotatedBlob =
            kms.encrypt(CALLER, victim, plaintext(victim, version), context(victim));
        out.println("ROTATED " + victim + " " + version + " " + b64.encodeToString(rotatedBlob));
        out.flush();
      }
    }
  }
}

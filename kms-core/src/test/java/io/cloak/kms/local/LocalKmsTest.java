package io.cloak.kms.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloak.kms.AccessDeniedException;
import io.cloak.kms.AliasEntry;
import io.cloak.kms.AliasExistsException;
import io.cloak.kms.CreateKeyRequest;
import io.cloak.kms.DataKey;
import io.cloak.kms.Decrypted;
import io.cloak.kms.EncryptionContext;
import io.cloak.kms.IncorrectKeyException;
import io.cloak.kms.InvalidCiphertextException;
import io.cloak.kms.KeyDisabledException;
import io.cloak.kms.KeyManagementService;
import io.cloak.kms.KeyMetadata;
import io.cloak.kms.KeyNotFoundException;
import io.cloak.kms.KeyOrigin;
import io.cloak.kms.KeyPendingDeletionException;
import io.cloak.kms.KeyPolicy;
import io.cloak.kms.KeyState;
import io.cloak.kms.KmsValidationException;
import io.cloak.kms.Operation;
import io.cloak.kms.Principal;
import io.cloak.kms.ProvidedKeySource;
import io.cloak.kms.RotationEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKmsTest {
  static final Principal ADMIN = Principal.of("user:admin");
  static final Principal APP = Principal.of("app:orders");
  static final byte[] SECRET = "card 4111 1111 1111 1111".getBytes(UTF_8);
  static final EncryptionContext CTX = EncryptionContext.of("table", "customers");

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  final Map<String, byte[]> providedKeys = new HashMap<>();
  final byte[] rootKey = new byte[32];
  LocalKms kms;

  @BeforeEach
  void openKeystore() {
    new SecureRandom().nextBytes(rootKey);
    kms = builder().create();
  }

  @AfterEach
  void close() {
    kms.close();
  }

  LocalKms.Builder builder() {
    return LocalKms.builder()
        .keystore(dir.resolve("ks"))
        .rootKey(RootKey.fromBytes(rootKey))
        .clock(clock)
        .providedKeys(name -> Optional.ofNullable(providedKeys.get(name)).map(byte[]::clone));
  }

  String newKey() {
    return kms.createKey(ADMIN, CreateKeyRequest.generated("test")).keyId();
  }

  byte[] decrypt(byte[] blob) {
    return kms.decrypt(ADMIN, blob, CTX).plaintext();
  }

  @Test
  void listAliasesIsInNameOrderBeforeAndAfterReopening() {
    String key = newKey();
    for (String alias : List.of("alias/m", "alias/b", "alias/z", "alias/a")) {
      kms.createAlias(ADMIN, alias, key);
    }
    List<String> expected = List.of("alias/a", "alias/b", "alias/m", "alias/z");
    assertEquals(expected, userAliases(kms));
    kms.close();
    kms = builder().open();
    kms.createAlias(ADMIN, "alias/c", key);
    assertEquals(List.of("alias/a", "alias/b", "alias/c", "alias/m", "alias/z"), userAliases(kms));
  }

  private static List<String> userAliases(LocalKms kms) {
    List<String> names = new ArrayList<>();
    for (AliasEntry a : kms.listAliases(ADMIN)) {
      if (!a.alias().startsWith("alias/cloak/")) {
        names.add(a.alias());
      }
    }
    return names;
  }

  @Test
  void encryptThenDecryptReturnsPlaintextAndNamesKeyAndVersion() {
    String key = newKey();
    byte[] blob = kms.encrypt(ADMIN, key, SECRET, CTX);
    Decrypted d = kms.decrypt(ADMIN, blob, CTX);
    assertArrayEquals(SECRET, d.plaintext());
    assertEquals(key, d.keyId());
    assertEquals(1, d.keyVersion());
    // The key id in it is a random UUID, which can hold "4111" by chance: look for the secret.
    assertFalse(d.toString().contains("4111 1111 1111 1111"));
  }

  @Test
  void afterRotationOldCiphertextsDecryptAndNewOnesUseNewVersion() {
    String key = newKey();
    byte[] before = kms.encrypt(ADMIN, key, SECRET, CTX);
    KeyMetadata rotated = kms.rotateKeyOnDemand(ADMIN, key);
    assertEquals(2, rotated.currentVersion());
    byte[] after = kms.encrypt(ADMIN, key, SECRET, CTX);
    assertEquals(1, kms.decrypt(ADMIN, before, CTX).keyVersion());
    assertEquals(2, kms.decrypt(ADMIN, after, CTX).keyVersion());
    assertArrayEquals(SECRET, decrypt(before));
    assertArrayEquals(SECRET, decrypt(after));
    List<RotationEntry> rotations = kms.listKeyRotations(ADMIN, key);
    assertEquals(1, rotations.size());
    assertEquals(RotationEntry.Kind.ON_DEMAND, rotations.get(0).kind());
    assertEquals(2, rotations.get(0).version());
  }

  @Test
  void automaticRotationIsAppliedWhenDueOnNextUse() {
    String key = newKey();
    kms.enableKeyRotation(ADMIN, key, 90);
    byte[] old = kms.encrypt(ADMIN, key, SECRET, CTX);
    clock.advance(Duration.ofDays(89));
    assertEquals(1, kms.describeKey(ADMIN, key).currentVersion());
    clock.advance(Duration.ofDays(2));
    byte[] fresh = kms.encrypt(ADMIN, key, SECRET, CTX);
    assertEquals(2, kms.decrypt(ADMIN, fresh, CTX).keyVersion());
    assertArrayEquals(SECRET, decrypt(old));
    assertEquals(RotationEntry.Kind.AUTOMATIC, kms.listKeyRotations(ADMIN, key).get(0).kind());
    assertEquals(
        clock.instant().plus(Duration.ofDays(90)), kms.describeKey(ADMIN, key).nextRotationAt());
  }

  @Test
  void rotationPeriodOutsideRangeIsRejected() {
    String key = newKey();
    assertThrows(KmsValidationException.class, () -> kms.enableKeyRotation(ADMIN, key, 89));
    assertThrows(KmsValidationException.class, () -> kms.enableKeyRotation(ADMIN, key, 2561));
  }

  @Test
  void disabledKeyRefusesEncryptAndDecryptAndWorksAfterEnable() {
    String key = newKey();
    byte[] blob = kms.encrypt(ADMIN, key, SECRET, CTX);
    kms.disableKey(ADMIN, key);
    assertEquals(KeyState.DISABLED, kms.describeKey(ADMIN, key).state());
    KeyDisabledException e =
        assertThrows(KeyDisabledException.class, () -> kms.encrypt(ADMIN, key, SECRET, CTX));
    assertTrue(e.getMessage().contains(key), e.getMessage());
    assertThrows(KeyDisabledException.class, () -> kms.decrypt(ADMIN, blob, CTX));
    kms.enableKey(ADMIN, key);
    assertArrayEquals(SECRET, decrypt(blob));
    assertArrayEquals(SECRET, decrypt(kms.encrypt(ADMIN, key, SECRET, CTX)));
  }

  @Test
  void keyPendingDeletionRefusesUseAndWorksAfterCancel() {
    String key = newKey();
    byte[] blob = kms.encrypt(ADMIN, key, SECRET, CTX);
    KeyMetadata pending = kms.scheduleKeyDeletion(ADMIN, key, 7);
    assertEquals(KeyState.PENDING_DELETION, pending.state());
    assertEquals(clock.instant().plus(Duration.ofDays(7)), pending.deletionDate());
    assertThrows(KeyPendingDeletionException.class, () -> kms.decrypt(ADMIN, blob, CTX));
    assertThrows(KeyPendingDeletionException.class, () -> kms.generateDataKey(ADMIN, key, CTX));
    assertThrows(KeyPendingDeletionException.class, () -> kms.enableKey(ADMIN, key));
    kms.cancelKeyDeletion(ADMIN, key);
    assertEquals(KeyState.ENABLED, kms.describeKey(ADMIN, key).state());
    assertArrayEquals(SECRET, decrypt(blob));
  }

  @Test
  void keyIsDestroyedWhenItsDeletionDateHasPassed() {
    String key = newKey();
    kms.createAlias(ADMIN, "alias/doomed", key);
    byte[] blob = kms.encrypt(ADMIN, key, SECRET, CTX);
    kms.scheduleKeyDeletion(ADMIN, key, 30);
    clock.advance(Duration.ofDays(30));
    KeyNotFoundException e =
        assertThrows(KeyNotFoundException.class, () -> kms.decrypt(ADMIN, blob, CTX));
    assertTrue(e.getMessage().contains(key));
    assertTrue(kms.listAliases(ADMIN).stream().noneMatch(a -> a.alias().equals("alias/doomed")));
  }

  @Test
  void deletionWindowOutsideSevenToThirtyDaysIsRejected() {
    String key = newKey();
    assertThrows(KmsValidationException.class, () -> kms.scheduleKeyDeletion(ADMIN, key, 6));
    assertThrows(KmsValidationException.class, () -> kms.scheduleKeyDeletion(ADMIN, key, 31));
    assertEquals(KeyState.ENABLED, kms.describeKey(ADMIN, key).state());
  }

  @Test
  void aliasRepointChangesNewEncryptionsWhileOldCiphertextsDecrypt() {
    String first = newKey();
    String second = newKey();
    kms.createAlias(ADMIN, "alias/pii", first);
    byte[] old = kms.encrypt(ADMIN, "alias/pii", SECRET, CTX);
    kms.updateAlias(ADMIN, "alias/pii", second);
    byte[] fresh = kms.encrypt(ADMIN, "alias/pii", SECRET, CTX);
    assertEquals(first, kms.decrypt(ADMIN, old, CTX).keyId());
    assertEquals(second, kms.decrypt(ADMIN, fresh, CTX).keyId());
    assertArrayEquals(SECRET, decrypt(old));
    assertEquals(second, kms.describeKey(ADMIN, "alias/pii").keyId());
  }

  @Test
  void aliasLifecycleAndErrors() {
    String key = newKey();
    kms.createAlias(ADMIN, "alias/app/one", key);
    assertThrows(AliasExistsException.class, () -> kms.createAlias(ADMIN, "alias/app/one", key));
    assertThrows(KmsValidationException.class, () -> kms.createAlias(ADMIN, "nope", key));
    assertThrows(
        KmsValidationException.class, () -> kms.createAlias(ADMIN, "alias/cloak/mine", key));
    KeyNotFoundException unknown =
        assertThrows(
            KeyNotFoundException.class, () -> kms.encrypt(ADMIN, "alias/missing", SECRET, CTX));
    assertTrue(unknown.getMessage().contains("alias/missing"));
    kms.deleteAlias(ADMIN, "alias/app/one");
    assertThrows(KeyNotFoundException.class, () -> kms.describeKey(ADMIN, "alias/app/one"));
  }

  @Test
  void differentEncryptionContextFails() {
    String key = newKey();
    byte[] blob = kms.encrypt(ADMIN, key, SECRET, CTX);
    assertThrows(
        InvalidCiphertextException.class,
        () -> kms.decrypt(ADMIN, blob, EncryptionContext.of("table", "orders")));
    assertThrows(
        InvalidCiphertextException.class,
        () -> kms.decrypt(ADMIN, blob, EncryptionContext.empty()));
  }

  @Test
  void contextsThatCollideUnderConcatenationAreDistinct() {
    String key = newKey();
    EncryptionContext ab = EncryptionContext.of("ab", "c");
    EncryptionContext a = EncryptionContext.of("a", "bc");
    assertFalse(java.util.Arrays.equals(ab.canonicalBytes(), a.canonicalBytes()));
    byte[] blob = kms.encrypt(ADMIN, key, SECRET, ab);
    assertThrows(InvalidCiphertextException.class, () -> kms.decrypt(ADMIN, blob, a));
    assertArrayEquals(SECRET, kms.decrypt(ADMIN, blob, ab).plaintext());
  }

  @Test
  void everyChangedByteOfABlobIsRejected() {
    String key = newKey();
    byte[] blob = kms.encrypt(ADMIN, key, SECRET, CTX);
    for (int i = 0; i < blob.length; i++) {
      byte[] tampered = blob.clone();
      tampered[i] ^= 0x01;
      int at = i;
      RuntimeException e =
          assertThrows(
              RuntimeException.class, () -> kms.decrypt(ADMIN, tampered, CTX), "byte " + at);
      assertTrue(
          e instanceof InvalidCiphertextException || e instanceof KeyNotFoundException,
          "byte " + at + ": " + e);
    }
    assertThrows(
        InvalidCiphertextException.class,
        () -> kms.decrypt(ADMIN, java.util.Arrays.copyOf(blob, blob.length - 1), CTX));
  }

  @Test
  void blobFromAnotherKeystoreFailsWithClearError() {
    String key = newKey();
    byte[] blob = kms.encrypt(ADMIN, key, SECRET, CTX);
    try (LocalKms other =
        LocalKms.builder()
            .keystore(dir.resolve("other"))
            .rootKey(RootKey.fromBytes(rootKey))
            .create()) {
      InvalidCiphertextException e =
          assertThrows(InvalidCiphertextException.class, () -> other.decrypt(ADMIN, blob, CTX));
      assertTrue(e.getMessage().contains("another keystore"), e.getMessage());
    }
  }

  @Test
  void plaintextOverFourKibibytesPointsToDataKeys() {
    String key = newKey();
    KmsValidationException e =
        assertThrows(
            KmsValidationException.class, () -> kms.encrypt(ADMIN, key, new byte[4097], CTX));
    assertTrue(e.getMessage().contains("data key"), e.getMessage());
    assertEquals(4096, decrypt(kms.encrypt(ADMIN, key, new byte[4096], CTX)).length);
  }

  @Test
  void dataKeysAreWrappedUnderTheMasterKey() {
    String key = newKey();
    DataKey dk = kms.generateDataKey(ADMIN, key, CTX);
    assertEquals(32, dk.plaintext().length);
    assertArrayEquals(dk.plaintext(), decrypt(dk.ciphertextBlob()));
    assertFalse(dk.toString().contains(HexFormat.of().formatHex(dk.plaintext())));
    byte[] wrappedOnly = kms.generateDataKeyWithoutPlaintext(ADMIN, key, CTX);
    assertEquals(32, decrypt(wrappedOnly).length);
    assertNotEquals(
        HexFormat.of().formatHex(dk.plaintext()), HexFormat.of().formatHex(decrypt(wrappedOnly)));
  }

  @Test
  void reEncryptMovesABlobToAnotherKeyOrToTheNewestVersion() {
    String first = newKey();
    String second = newKey();
    byte[] blob = kms.encrypt(ADMIN, first, SECRET, CTX);
    EncryptionContext newCtx = EncryptionContext.of("table", "archive");
    byte[] moved = kms.reEncrypt(ADMIN, blob, CTX, second, newCtx);
    Decrypted d = kms.decrypt(ADMIN, moved, newCtx);
    assertEquals(second, d.keyId());
    assertArrayEquals(SECRET, d.plaintext());
    kms.rotateKeyOnDemand(ADMIN, first);
    byte[] newest = kms.reEncrypt(ADMIN, blob, CTX, null, CTX);
    assertEquals(2, kms.decrypt(ADMIN, newest, CTX).keyVersion());
  }

  @Test
  void generateRandomReturnsRequestedLengthWithinLimits() {
    assertEquals(1024, kms.generateRandom(APP, 1024).length);
    assertThrows(KmsValidationException.class, () -> kms.generateRandom(APP, 0));
    assertThrows(KmsValidationException.class, () -> kms.generateRandom(APP, 1025));
  }

  @Test
  void managedDefaultKeyIsCreatedOnFirstUseAndUsableByAnyPrincipal() {
    byte[] blob = kms.encrypt(APP, null, SECRET, CTX);
    KeyMetadata def = kms.describeKey(APP, KeyManagementService.DEFAULT_KEY_ALIAS);
    assertEquals(def.keyId(), kms.decrypt(ADMIN, blob, CTX).keyId());
    assertEquals(365, def.rotationPeriodDays());
    assertEquals(1, kms.listAliases(APP).size());
    kms.encrypt(ADMIN, null, SECRET, CTX);
    assertEquals(1, kms.listKeys(ADMIN).size(), "the default key is created only once");
    assertThrows(AccessDeniedException.class, () -> kms.disableKey(APP, def.keyId()));
  }

  @Test
  void principalWithoutPermissionIsDeniedAndTheDenialIsAudited() throws Exception {
    String key = newKey();
    AccessDeniedException e =
        assertThrows(AccessDeniedException.class, () -> kms.encrypt(APP, key, SECRET, CTX));
    assertTrue(e.getMessage().contains("app:orders") && e.getMessage().contains("kms:Encrypt"));
    List<String> lines = Files.readAllLines(kms.auditLogPath());
    String last = lines.get(lines.size() - 1);
    assertTrue(last.contains("\"DENIED\""), last);
    assertTrue(last.contains("app:orders") && last.contains(key), last);
  }

  @Test
  void policyGrantsExactlyTheListedOperations() {
    String key = newKey();
    KeyPolicy policy =
        new KeyPolicy(
            List.of(
                new KeyPolicy.Statement(Set.of(ADMIN.name()), EnumSet.allOf(Operation.class)),
                new KeyPolicy.Statement(
                    Set.of(APP.name()), EnumSet.of(Operation.ENCRYPT, Operation.DECRYPT))));
    kms.putKeyPolicy(ADMIN, key, policy);
    assertEquals(policy, kms.getKeyPolicy(ADMIN, key));
    byte[] blob = kms.encrypt(APP, key, SECRET, CTX);
    assertArrayEquals(SECRET, kms.decrypt(APP, blob, CTX).plaintext());
    assertThrows(AccessDeniedException.class, () -> kms.generateDataKey(APP, key, CTX));
    assertThrows(AccessDeniedException.class, () -> kms.disableKey(APP, key));
    assertThrows(AccessDeniedException.class, () -> kms.putKeyPolicy(APP, key, policy));
  }

  @Test
  void auditLogRecordsEveryOperationWithoutPlaintextAndVerifies() throws Exception {
    String key = newKey();
    byte[] blob = kms.encrypt(ADMIN, key, SECRET, CTX);
    DataKey dk = kms.generateDataKey(ADMIN, key, CTX);
    kms.decrypt(ADMIN, blob, CTX);
    assertThrows(
        InvalidCiphertextException.class,
        () -> kms.decrypt(ADMIN, blob, EncryptionContext.empty()));
    String log = Files.readString(kms.auditLogPath());
    assertEquals(5, log.lines().count());
    assertTrue(log.contains("kms:CreateKey") && log.contains("kms:GenerateDataKey"));
    assertTrue(log.contains("\"FAILED\""));
    assertTrue(log.contains("customers"), "the encryption context is audited");
    // The whole secret, in every form it could take: "4111" alone also turns up by chance in the
    // log's random ids, hashes and timestamps (about one run in a few hundred).
    assertFalse(log.contains("4111 1111 1111 1111"));
    assertFalse(log.contains(java.util.Base64.getEncoder().encodeToString(SECRET)));
    assertFalse(log.contains(HexFormat.of().formatHex(SECRET)));
    assertFalse(log.contains(java.util.Base64.getEncoder().encodeToString(dk.plaintext())));
    assertFalse(log.contains(HexFormat.of().formatHex(dk.plaintext())));
    assertTrue(io.cloak.kms.audit.AuditVerifier.verify(kms.auditLogPath()).intact());
  }

  @Test
  void wrongCustomerProvidedKeyIsDetected() {
    byte[] original = new byte[32];
    new SecureRandom().nextBytes(original);
    providedKeys.put("cards", original);
    byte[] blob = kms.encrypt(APP, "provided:cards", SECRET, CTX);
    assertArrayEquals(SECRET, kms.decrypt(APP, blob, CTX).plaintext());
    byte[] wrong = original.clone();
    wrong[0] ^= 1;
    providedKeys.put("cards", wrong);
    IncorrectKeyException e =
        assertThrows(IncorrectKeyException.class, () -> kms.decrypt(APP, blob, CTX));
    assertTrue(e.getMessage().contains("provided:cards"));
    assertThrows(
        IncorrectKeyException.class, () -> kms.encrypt(APP, "provided:cards", SECRET, CTX));
    providedKeys.remove("cards");
    KeyNotFoundException missing =
        assertThrows(KeyNotFoundException.class, () -> kms.decrypt(APP, blob, CTX));
    assertTrue(missing.getMessage().contains("CLOAK_PROVIDED_KEY_CARDS"), missing.getMessage());
  }

  @Test
  void customerProvidedKeyIsNeverStored() throws Exception {
    byte[] original = new byte[32];
    new SecureRandom().nextBytes(original);
    providedKeys.put("cards", original);
    kms.encrypt(APP, "provided:cards", SECRET, CTX);
    KeyMetadata meta = kms.describeKey(APP, "provided:cards");
    assertEquals(KeyOrigin.PROVIDED, meta.origin());
    byte[] payload = KeystoreFile.open(dir.resolve("ks"), RootKey.fromBytes(rootKey)).read();
    String json = new String(payload, UTF_8);
    assertTrue(json.contains("cards"), "the fingerprint entry is recorded");
    assertFalse(json.contains(java.util.Base64.getEncoder().encodeToString(original)));
    assertFalse(containsBytes(payload, original));
    assertThrows(KmsValidationException.class, () -> kms.disableKey(APP, "provided:cards"));
  }

  @Test
  void providedKeysFromEnvironmentAcceptHexAndBase64() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    ProvidedKeySource hex =
        ProvidedKeySource.fromMap(
            Map.of("CLOAK_PROVIDED_KEY_MY_KEY", HexFormat.of().formatHex(key)));
    assertArrayEquals(key, hex.keyFor("my-key").orElseThrow());
    ProvidedKeySource b64 =
        ProvidedKeySource.fromMap(
            Map.of("CLOAK_PROVIDED_KEY_MY_KEY", java.util.Base64.getEncoder().encodeToString(key)));
    assertArrayEquals(key, b64.keyFor("my-key").orElseThrow());
    ProvidedKeySource shortKey =
        ProvidedKeySource.fromMap(Map.of("CLOAK_PROVIDED_KEY_MY_KEY", "AAAA"));
    assertThrows(KmsValidationException.class, () -> shortKey.keyFor("my-key"));
  }

  @Test
  void importedKeyMaterialEncryptsAndCannotBeRotatedAutomatically() throws Exception {
    byte[] material = new byte[32];
    new SecureRandom().nextBytes(material);
    KeyMetadata meta = kms.createKey(ADMIN, CreateKeyRequest.imported("byok", material));
    assertEquals(KeyOrigin.IMPORTED, meta.origin());
    byte[] blob = kms.encrypt(ADMIN, meta.keyId(), SECRET, CTX);
    assertArrayEquals(SECRET, decrypt(blob));
    KmsValidationException e =
        assertThrows(
            KmsValidationException.class, () -> kms.rotateKeyOnDemand(ADMIN, meta.keyId()));
    assertTrue(e.getMessage().contains("update-alias"));
    assertThrows(
        KmsValidationException.class, () -> CreateKeyRequest.imported("short", new byte[16]));
    assertFalse(containsBytes(Files.readAllBytes(dir.resolve("ks")), material));
    assertFalse(
        CreateKeyRequest.imported("x", material)
            .toString()
            .contains(HexFormat.of().formatHex(material)));
  }

  @Test
  void keystoreSurvivesReopenWithEveryKeyAliasAndVersion() {
    String key = newKey();
    kms.createAlias(ADMIN, "alias/keep", key);
    kms.rotateKeyOnDemand(ADMIN, key);
    byte[] blob = kms.encrypt(ADMIN, "alias/keep", SECRET, CTX);
    kms.close();
    kms = builder().open();
    assertEquals(2, kms.describeKey(ADMIN, "alias/keep").currentVersion());
    assertArrayEquals(SECRET, decrypt(blob));
  }

  @Test
  void twoEnginesOnOneKeystoreSeeEachOthersChanges() {
    try (LocalKms second = builder().open()) {
      String key = second.createKey(ADMIN, CreateKeyRequest.generated("from second")).keyId();
      byte[] blob = kms.encrypt(ADMIN, key, SECRET, CTX);
      assertArrayEquals(SECRET, second.decrypt(ADMIN, blob, CTX).plaintext());
    }
  }

  @Test
  void concurrentEnginesAndThreadsLoseNoKey() throws Exception {
    List<String> created = java.util.Collections.synchronizedList(new ArrayList<>());
    try (LocalKms second = builder().open()) {
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        LocalKms engine = t % 2 == 0 ? kms : second;
        threads.add(
            new Thread(
                () -> {
                  for (int i = 0; i < 10; i++) {
                    created.add(engine.createKey(ADMIN, CreateKeyRequest.generated("c")).keyId());
                  }
                }));
      }
      threads.forEach(Thread::start);
      for (Thread th : threads) {
        th.join();
      }
    }
    kms.close();
    kms = builder().open();
    List<String> present = kms.listKeys(ADMIN).stream().map(KeyMetadata::keyId).toList();
    assertEquals(40, created.size());
    assertTrue(present.containsAll(created));
  }

  @Test
  void createRefusesToOverwriteAnExistingKeystore() {
    assertThrows(io.cloak.kms.KeystoreException.class, () -> builder().create());
  }

  @Test
  void toStringNeverShowsSecrets() {
    assertEquals("RootKey[raw key]", RootKey.fromBytes(rootKey).toString());
    assertFalse(kms.toString().contains(HexFormat.of().formatHex(rootKey)));
  }

  static boolean containsBytes(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}

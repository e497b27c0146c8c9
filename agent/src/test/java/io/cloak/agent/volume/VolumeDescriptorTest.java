package io.cloak.agent.volume;

import static io.cloak.agent.volume.VolumeTestSupport.markerContent;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloak.kms.CreateKeyRequest;
import io.cloak.kms.InvalidCiphertextException;
import io.cloak.kms.KeyDisabledException;
import io.cloak.kms.KeyManagementService;
import io.cloak.kms.Principal;
import io.cloak.kms.ProvidedKeySource;
import io.cloak.kms.cache.DataKeyCache;
import io.cloak.kms.local.LocalKms;
import io.cloak.kms.local.RootKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeDescriptorTest {
  static final Principal APP = Principal.of("app:files");

  @TempDir Path dir;
  LocalKms kms;
  Path root;

  @BeforeEach
  void openKms() {
    kms = newKms(dir.resolve("keystore"));
    root = dir.resolve("volume");
  }

  @AfterEach
  void closeKms() {
    kms.close();
  }

  static LocalKms newKms(Path keystore) {
    byte[] rootKey = new byte[32];
    new SecureRandom().nextBytes(rootKey);
    return LocalKms.builder()
        .keystore(keystore)
        .rootKey(RootKey.fromBytes(rootKey))
        .providedKeys(ProvidedKeySource.none())
        .create();
  }

  @Test
  void createWritesADescriptorThatLoadsBack() throws IOException {
    Instant before = Instant.now().minusSeconds(1);
    VolumeDescriptor created = VolumeDescriptor.create(root, kms, APP, null);
    assertTrue(VolumeDescriptor.exists(root));
    VolumeDescriptor loaded = VolumeDescriptor.load(root);
    assertArrayEquals(created.volumeId(), loaded.volumeId());
    assertEquals(32, loaded.volumeIdHex().length());
    assertEquals(KeyManagementService.DEFAULT_KEY_ALIAS, loaded.keyRef());
    assertEquals(created.keyId(), loaded.keyId());
    assertArrayEquals(created.wrappedKey(), loaded.wrappedKey());
    assertEquals(created.created(), loaded.created());
    assertTrue(
        !loaded.created().isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
    assertEquals(
        loaded.volumeIdHex(), loaded.encryptionContext().asMap().get(VolumeDescriptor.CONTEXT_KEY));
    String json = Files.readString(root.resolve(VolumeDescriptor.FILE_NAME));
    assertTrue(json.contains("\"version\" : 1"), json);
  }

  @Test
  void atomicWriteLeavesOnlyTheDescriptor() throws IOException {
    VolumeDescriptor.create(root, kms, APP, null);
    try (Stream<Path> files = Files.list(root)) {
      assertEquals(
          List.of(VolumeDescriptor.FILE_NAME), files.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void createRefusesToReplaceAnExistingVolume() throws IOException {
    VolumeDescriptor first = VolumeDescriptor.create(root, kms, APP, null);
    assertThrows(
        FileAlreadyExistsException.class, () -> VolumeDescriptor.create(root, kms, APP, null));
    assertArrayEquals(first.volumeId(), VolumeDescriptor.load(root).volumeId());
    try (Stream<Path> files = Files.list(root)) {
      assertEquals(1, files.count(), "no temporary file left behind");
    }
  }

  @Test
  void unlockedKeysOpenEachOthersFiles() throws IOException {
    String keyId = kms.createKey(APP, CreateKeyRequest.generated("files")).keyId();
    kms.createAlias(APP, "alias/app/files", keyId);
    VolumeDescriptor d = VolumeDescriptor.create(root, kms, APP, "alias/app/files");
    assertEquals("alias/app/files", d.keyRef());
    assertEquals(keyId, d.keyId());

    VolumeKey first = VolumeDescriptor.load(root).unlock(kms, APP);
    assertEquals(d.volumeIdHex(), first.volumeIdHex());
    Path file = root.resolve("data.bin");
    byte[] content = markerContent(50_000);
    try (EncryptedFile f = EncryptedFile.openOrCreate(file, first)) {
      f.write(ByteBuffer.wrap(content), 0);
    }
    VolumeKey second = VolumeDescriptor.load(root).unlock(kms, APP);
    assertArrayEquals(content, VolumeTestSupport.readAll(file, second));
  }

  @Test
  void unlockThroughACacheCallsTheKmsOnce() throws IOException {
    VolumeDescriptor d = VolumeDescriptor.create(root, kms, APP, null);
    DataKeyCache cache = DataKeyCache.builder(kms, APP).maxAge(Duration.ofMinutes(5)).build();
    VolumeKey a = d.unlock(cache);
    VolumeKey b = VolumeDescriptor.load(root).unlock(cache);
    assertEquals(1, cache.stats().kmsCalls());
    Path file = root.resolve("x");
    VolumeTestSupport.writeEncrypted(file, a, markerContent(10), EncryptedFile.DEFAULT_CHUNK_SIZE);
    assertArrayEquals(markerContent(10), VolumeTestSupport.readAll(file, b));
  }

  @Test
  void unlockWithAnotherKeystoreFailsNamingTheVolume() throws IOException {
    VolumeDescriptor d = VolumeDescriptor.create(root, kms, APP, null);
    try (LocalKms other = newKms(dir.resolve("other-keystore"))) {
      VolumeException e = assertThrows(VolumeException.class, () -> d.unlock(other, APP));
      assertTrue(e.getMessage().contains(d.volumeIdHex()), e.getMessage());
      assertTrue(e.getMessage().contains(root.toString()), e.getMessage());
      assertInstanceOf(InvalidCiphertextException.class, e.getCause());
    }
  }

  @Test
  void unlockWithADisabledKeyFails() throws IOException {
    String keyId = kms.createKey(APP, CreateKeyRequest.generated("files")).keyId();
    VolumeDescriptor d = VolumeDescriptor.create(root, kms, APP, keyId);
    kms.disableKey(APP, keyId);
    VolumeException e = assertThrows(VolumeException.class, () -> d.unlock(kms, APP));
    assertInstanceOf(KeyDisabledException.class, e.getCause());
  }

  @Test
  void createUnderAnUnknownKeyFailsAndWritesNothing() {
    assertThrows(
        VolumeException.class, () -> VolumeDescriptor.create(root, kms, APP, "alias/missing"));
    assertTrue(!VolumeDescriptor.exists(root));
  }

  @Test
  void anEditedVolumeIdDoesNotUnlock() throws IOException {
    VolumeDescriptor d = VolumeDescriptor.create(root, kms, APP, null);
    byte[] otherId = d.volumeId();
    otherId[0] ^= 1;
    editDescriptor(n -> n.put("volumeId", HexFormat.of().formatHex(otherId)));
    VolumeDescriptor edited = VolumeDescriptor.load(root);
    assertNotEquals(d.volumeIdHex(), edited.volumeIdHex());
    assertThrows(VolumeException.class, () -> edited.unlock(kms, APP));
  }

  @Test
  void aWrappedKeyFromAnotherVolumeDoesNotUnlock() throws IOException {
    VolumeDescriptor.create(root, kms, APP, null);
    VolumeDescriptor other = VolumeDescriptor.create(dir.resolve("other"), kms, APP, null);
    editDescriptor(
        n -> n.put("wrappedKey", java.util.Base64.getEncoder().encodeToString(other.wrappedKey())));
    assertThrows(VolumeException.class, () -> VolumeDescriptor.load(root).unlock(kms, APP));
  }

  @Test
  void malformedDescriptorsFailNamingTheFile() throws IOException {
    VolumeDescriptor.create(root, kms, APP, null);
    Path file = root.resolve(VolumeDescriptor.FILE_NAME);
    String good = Files.readString(file);
    for (String bad :
        List.of(
            "not json",
            "[1, 2]",
            good.replace("\"version\" : 1", "\"version\" : 2"),
            good.replace("\"volumeId\"", "\"volumeID\""),
            good.replace("\"wrappedKey\" : \"", "\"wrappedKey\" : \"!"),
            good.replace("\"created\" : \"", "\"created\" : \"yesterday "))) {
      Files.writeString(file, bad);
      VolumeException e = assertThrows(VolumeException.class, () -> VolumeDescriptor.load(root));
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
  }

  @Test
  void loadingAFolderWithoutADescriptorFails() {
    assertThrows(NoSuchFileException.class, () -> VolumeDescriptor.load(dir.resolve("nothing")));
  }

  @Test
  void toStringShowsNoKeyMaterial() throws IOException {
    VolumeDescriptor d = VolumeDescriptor.create(root, kms, APP, null);
    VolumeKey k = d.unlock(kms, APP);
    assertTrue(
        !d.toString().contains(java.util.Base64.getEncoder().encodeToString(d.wrappedKey())));
    assertTrue(k.toString().contains("<hidden>"));
    k.destroy();
    assertThrows(
        IllegalStateException.class,
        () -> EncryptedFile.openOrCreate(root.resolve("after-destroy"), k));
  }

  private void editDescriptor(java.util.function.Consumer<ObjectNode> edit) throws IOException {
    Path file = root.resolve(VolumeDescriptor.FILE_NAME);
    ObjectMapper json = new ObjectMapper();
    ObjectNode n = (ObjectNode) json.readTree(file.toFile());
    edit.accept(n);
    Files.writeString(file, json.writeValueAsString(n));
  }
}

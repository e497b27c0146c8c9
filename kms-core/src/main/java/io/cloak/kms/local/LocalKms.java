package io.cloak.kms.local;

import io.cloak.crypto.AesGcm;
import io.cloak.crypto.Hkdf;
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
import io.cloak.kms.KeystoreException;
import io.cloak.kms.KmsException;
import io.cloak.kms.KmsValidationException;
import io.cloak.kms.Operation;
import io.cloak.kms.Principal;
import io.cloak.kms.ProvidedKeySource;
import io.cloak.kms.RotationEntry;
import io.cloak.kms.audit.AuditLog;
import io.cloak.kms.audit.AuditRecord;
import io.cloak.kms.local.KeystoreData.KeyEntry;
import io.cloak.kms.local.KeystoreData.KeyVersion;
import io.cloak.kms.local.KeystoreData.PolicyStatement;
import io.cloak.kms.local.KeystoreData.ProvidedKeyEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The in-process KMS: master keys live in an encrypted keystore file and never leave this class.
 * Every operation takes the keystore lock (threads and processes take turns), rereads the file if
 * another process changed it, applies any rotation or deletion that has come due, checks the key
 * policy, and appends an audit record. Thread-safe.
 *
 * <p>Differences from AWS KMS worth knowing: cancelling a scheduled deletion restores the state the
 * key had before (AWS leaves it disabled); customer-provided keys ({@code provided:NAME}) have no
 * policy, since holding the key is the authorization, but every use is audited.
 */
public final class LocalKms implements KeyManagementService {
  private static final Pattern ALIAS = Pattern.compile("alias/[A-Za-z0-9/_-]{1,250}");
  private static final String MANAGED_ALIAS_PREFIX = "alias/cloak/";
  private static final String PROVIDED_PREFIX = "provided:";
  private static final byte[] PROVIDED_FINGERPRINT_INFO =
      "cloak provided key fingerprint v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PROVIDED_BLOB_INFO =
      "cloak provided key blob v1".getBytes(StandardCharsets.US_ASCII);
  private static final int MANAGED_KEY_ROTATION_DAYS = 365;

  private final Path keystorePath;
  private final KeystoreFile file;
  private final KeystoreLock lock;
  private final AuditLog audit;
  private final Clock clock;
  private final SecureRandom random;
  private final ProvidedKeySource providedKeys;
  private final Map<String, AesGcm> ciphers = new HashMap<>();

  private KeystoreData data;
  private Object loadedFileKey;
  private boolean closed;

  private LocalKms(Builder b, KeystoreFile file, KeystoreLock lock, AuditLog audit) {
    this.keystorePath = b.keystore;
    this.file = file;
    this.lock = lock;
    this.audit = audit;
    this.clock = b.clock;
    this.random = b.random;
    this.providedKeys = b.providedKeys;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Configures and opens a {@link LocalKms}. Not thread-safe. */
  public static final class Builder {
    private Path keystore =
        Path.of(System.getenv().getOrDefault("CLOAK_KEYSTORE", "cloak-keystore"));
    private RootKey rootKey;
    private Path auditLog;
    private Clock clock = Clock.systemUTC();
    private SecureRandom random = new SecureRandom();
    private ProvidedKeySource providedKeys = ProvidedKeySource.fromEnvironment();
    private int scryptLogN = KeystoreFile.DEFAULT_SCRYPT_LOG_N;

    private Builder() {}

    /** The keystore file; default {@code $CLOAK_KEYSTORE} or {@code ./cloak-keystore}. */
    public Builder keystore(Path path) {
      this.keystore = Objects.requireNonNull(path);
      return this;
    }

    /** The root key; default {@link RootKey#fromEnvironment()}. */
    public Builder rootKey(RootKey rootKey) {
      this.rootKey = Objects.requireNonNull(rootKey);
      return this;
    }

    /** The audit log; default the keystore path with {@code .audit.log} appended. */
    public Builder auditLog(Path path) {
      this.auditLog = Objects.requireNonNull(path);
      return this;
    }

    /** The clock for rotation and deletion dates (tests move it). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random);
      return this;
    }

    /**
     * Where customer-provided keys come from; default {@link ProvidedKeySource#fromEnvironment}.
     */
    public Builder providedKeys(ProvidedKeySource source) {
      this.providedKeys = Objects.requireNonNull(source);
      return this;
    }

    /**
     * scrypt cost log2(N) for a keystore created by {@link #create()} (default 15); values below 15
     * are for tests only.
     */
    public Builder scryptCost(int log2N) {
      this.scryptLogN = log2N;
      return this;
    }

    /**
     * Opens an existing keystore.
     *
     * @throws KeystoreException if it does not exist, the root key is wrong or the file is corrupt
     */
    public LocalKms open() {
      return build(Mode.OPEN);
    }

    /**
     * Creates a new, empty keystore.
     *
     * @throws KeystoreException if a file already exists at the path
     */
    public LocalKms create() {
      return build(Mode.CREATE);
    }

    /** Opens the keystore, creating it first when no file exists at the path. */
    public LocalKms openOrCreate() {
      return build(Mode.OPEN_OR_CREATE);
    }

    private enum Mode {
      OPEN,
      CREATE,
      OPEN_OR_CREATE
    }

    private LocalKms build(Mode mode) {
      RootKey root = rootKey != null ? rootKey : RootKey.fromEnvironment();
      Path absolute = keystore.toAbsolutePath();
      try {
        Files.createDirectories(absolute.getParent());
      } catch (IOException e) {
        throw new KeystoreException("cannot create folder for keystore " + keystore, e);
      }
      KeystoreLock lock = new KeystoreLock(keystore);
      AuditLog audit = null;
      boolean opened = false;
      lock.lock();
      try {
        KeystoreFile.removeLeftoverTemporaryFiles(keystore);
        // decided under the lock, so two processes opening a fresh path at once agree
        boolean create =
            mode == Mode.CREATE || (mode == Mode.OPEN_OR_CREATE && !Files.exists(keystore));
        KeystoreFile file;
        if (create) {
          if (Files.exists(keystore)) {
            throw new KeystoreException(
                "a keystore already exists at " + keystore + "; refusing to overwrite it");
          }
          file = KeystoreFile.create(keystore, root, scryptLogN, random);
          KeystoreData fresh = new KeystoreData();
          fresh.keystoreId = new byte[16];
          random.nextBytes(fresh.keystoreId);
          file.write(fresh.toJson());
        } else {
          file = KeystoreFile.open(keystore, root);
        }
        Path auditPath =
            auditLog != null
                ? auditLog
                : absolute.resolveSibling(absolute.getFileName() + ".audit.log");
        try {
          audit = AuditLog.open(auditPath);
        } catch (IOException e) {
          throw new KeystoreException(
              "cannot open audit log " + auditPath + ": " + e.getMessage(), e);
        }
        LocalKms kms = new LocalKms(this, file, lock, audit);
        kms.reloadIfChanged();
        opened = true;
        return kms;
      } finally {
        lock.unlock();
        if (!opened) {
          closeQuietly(audit);
          lock.close();
        }
      }
    }
  }

  /** The keystore file this engine works on. */
  public Path keystorePath() {
    return keystorePath;
  }

  /** The audit log this engine appends to. */
  public Path auditLogPath() {
    return audit.file();
  }

  // ---------------------------------------------------------------- key lifecycle

  @Override
  public KeyMetadata createKey(Principal caller, CreateKeyRequest request) {
    Objects.requireNonNull(request, "request");
    return run(
        caller,
        Operation.CREATE_KEY,
        EncryptionContext.empty(),
        call -> {
          KeyEntry key =
              newKey(
                  caller,
                  request.description(),
                  request.importedMaterial().orElse(null),
                  request.policy().orElse(KeyPolicy.defaultFor(caller)));
          call.key(key.keyId, 1);
          call.dirty = true;
          return metadata(key);
        });
  }

  @Override
  public KeyMetadata describeKey(Principal caller, String keyIdOrAlias) {
    return run(
        caller,
        Operation.DESCRIBE_KEY,
        EncryptionContext.empty(),
        call -> {
          if (isProvided(keyIdOrAlias)) {
            return providedMetadata(call, keyIdOrAlias);
          }
          return metadata(call.authorize(keyIdOrAlias, Operation.DESCRIBE_KEY));
        });
  }

  @Override
  public List<KeyMetadata> listKeys(Principal caller) {
    return run(
        caller,
        Operation.LIST_KEYS,
        EncryptionContext.empty(),
        call -> {
          List<KeyMetadata> out = new ArrayList<>();
          data.keys.values().forEach(k -> out.add(metadata(k)));
          data.provided.values().forEach(p -> out.add(providedMetadata(p)));
          return out;
        });
  }

  @Override
  public void enableKey(Principal caller, String keyIdOrAlias) {
    run(
        caller,
        Operation.ENABLE_KEY,
        EncryptionContext.empty(),
        call -> {
          KeyEntry key = call.authorizeAdmin(keyIdOrAlias, Operation.ENABLE_KEY);
          requireNotPendingDeletion(key, "enable");
          key.state = KeyState.ENABLED.name();
          call.dirty = true;
          return null;
        });
  }

  @Override
  public void disableKey(Principal caller, String keyIdOrAlias) {
    run(
        caller,
        Operation.DISABLE_KEY,
        EncryptionContext.empty(),
        call -> {
          KeyEntry key = call.authorizeAdmin(keyIdOrAlias, Operation.DISABLE_KEY);
          requireNotPendingDeletion(key, "disable");
          key.state = KeyState.DISABLED.name();
          call.dirty = true;
          return null;
        });
  }

  @Override
  public KeyMetadata scheduleKeyDeletion(
      Principal caller, String keyIdOrAlias, int pendingWindowDays) {
    return run(
        caller,
        Operation.SCHEDULE_KEY_DELETION,
        EncryptionContext.empty(),
        call -> {
          if (pendingWindowDays < 7 || pendingWindowDays > 30) {
            throw new KmsValidationException(
                "the deletion window must be 7 to 30 days, got " + pendingWindowDays);
          }
          KeyEntry key = call.authorizeAdmin(keyIdOrAlias, Operation.SCHEDULE_KEY_DELETION);
          if (!KeyState.PENDING_DELETION.name().equals(key.state)) {
            key.stateBeforeDeletion = key.state;
          }
          key.state = KeyState.PENDING_DELETION.name();
          key.deletionDate = now().plus(Duration.ofDays(pendingWindowDays)).toEpochMilli();
          call.dirty = true;
          return metadata(key);
        });
  }

  @Override
  public KeyMetadata cancelKeyDeletion(Principal caller, String keyIdOrAlias) {
    return run(
        caller,
        Operation.CANCEL_KEY_DELETION,
        EncryptionContext.empty(),
        call -> {
          KeyEntry key = call.authorizeAdmin(keyIdOrAlias, Operation.CANCEL_KEY_DELETION);
          if (!KeyState.PENDING_DELETION.name().equals(key.state)) {
            throw new KmsValidationException(
                "key " + key.keyId + " is not pending deletion (state " + key.state + ")");
          }
          key.state =
              key.stateBeforeDeletion != null ? key.stateBeforeDeletion : KeyState.DISABLED.name();
          key.stateBeforeDeletion = null;
          key.deletionDate = null;
          call.dirty = true;
          return metadata(key);
        });
  }

  // ---------------------------------------------------------------- aliases

  @Override
  public void createAlias(Principal caller, String alias, String keyIdOrAlias) {
    run(
        caller,
        Operation.CREATE_ALIAS,
        EncryptionContext.empty(),
        call -> {
          validateUserAlias(alias);
          if (data.aliases.containsKey(alias)) {
            throw new AliasExistsException(
                alias
                    + " already points at key "
                    + data.aliases.get(alias)
                    + "; use update-alias to repoint it");
          }
          KeyEntry key = call.authorizeAdmin(keyIdOrAlias, Operation.CREATE_ALIAS);
          data.aliases.put(alias, key.keyId);
          call.dirty = true;
          return null;
        });
  }

  @Override
  public void updateAlias(Principal caller, String alias, String keyIdOrAlias) {
    run(
        caller,
        Operation.UPDATE_ALIAS,
        EncryptionContext.empty(),
        call -> {
          validateUserAlias(alias);
          String current = data.aliases.get(alias);
          if (current == null) {
            throw new KeyNotFoundException(
                "alias " + alias + " does not exist; create it with create-alias");
          }
          call.authorizeAdmin(current, Operation.UPDATE_ALIAS);
          KeyEntry target = call.authorizeAdmin(keyIdOrAlias, Operation.UPDATE_ALIAS);
          data.aliases.put(alias, target.keyId);
          call.dirty = true;
          return null;
        });
  }

  @Override
  public void deleteAlias(Principal caller, String alias) {
    run(
        caller,
        Operation.DELETE_ALIAS,
        EncryptionContext.empty(),
        call -> {
          validateUserAlias(alias);
          String current = data.aliases.get(alias);
          if (current == null) {
            throw new KeyNotFoundException("alias " + alias + " does not exist");
          }
          call.authorizeAdmin(current, Operation.DELETE_ALIAS);
          data.aliases.remove(alias);
          call.dirty = true;
          return null;
        });
  }

  @Override
  public List<AliasEntry> listAliases(Principal caller) {
    return run(
        caller,
        Operation.LIST_ALIASES,
        EncryptionContext.empty(),
        call -> {
          // Sorted by name: the keystore keeps its file's order, which differs after a reload.
          List<AliasEntry> out = new ArrayList<>();
          new TreeMap<>(data.aliases).forEach((a, k) -> out.add(new AliasEntry(a, k)));
          return out;
        });
  }

  // ---------------------------------------------------------------- cryptographic operations

  @Override
  public byte[] encrypt(
      Principal caller, String keyIdOrAlias, byte[] plaintext, EncryptionContext context) {
    Objects.requireNonNull(plaintext, "plaintext");
    return run(
        caller,
        Operation.ENCRYPT,
        context,
        call -> {
          if (plaintext.length == 0 || plaintext.length > MAX_PLAINTEXT_BYTES) {
            throw new KmsValidationException(
                "encrypt takes 1 to "
                    + MAX_PLAINTEXT_BYTES
                    + " bytes of plaintext, got "
                    + plaintext.length
                    + "; for larger data generate a data key (generateDataKey) and encrypt"
                    + " locally with it (envelope encryption)");
          }
          return call.sealUnder(keyIdOrAlias, Operation.ENCRYPT, plaintext, context);
        });
  }

  @Override
  public Decrypted decrypt(Principal caller, byte[] ciphertextBlob, EncryptionContext context) {
    return run(
        caller,
        Operation.DECRYPT,
        context,
        call -> call.open(ciphertextBlob, Operation.DECRYPT, context));
  }

  @Override
  public DataKey generateDataKey(Principal caller, String keyIdOrAlias, EncryptionContext context) {
    return run(
        caller,
        Operation.GENERATE_DATA_KEY,
        context,
        call -> {
          byte[] key = new byte[DATA_KEY_BYTES];
          random.nextBytes(key);
          try {
            byte[] blob = call.sealUnder(keyIdOrAlias, Operation.GENERATE_DATA_KEY, key, context);
            return new DataKey(key, blob, call.keyId, call.keyVersion);
          } finally {
            Arrays.fill(key, (byte) 0);
          }
        });
  }

  @Override
  public byte[] generateDataKeyWithoutPlaintext(
      Principal caller, String keyIdOrAlias, EncryptionContext context) {
    return run(
        caller,
        Operation.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT,
        context,
        call -> {
          byte[] key = new byte[DATA_KEY_BYTES];
          random.nextBytes(key);
          try {
            return call.sealUnder(
                keyIdOrAlias, Operation.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT, key, context);
          } finally {
            Arrays.fill(key, (byte) 0);
          }
        });
  }

  @Override
  public byte[] reEncrypt(
      Principal caller,
      byte[] ciphertextBlob,
      EncryptionContext sourceContext,
      String destinationKeyIdOrAlias,
      EncryptionContext destinationContext) {
    return run(
        caller,
        Operation.RE_ENCRYPT_FROM,
        sourceContext,
        call -> {
          Decrypted source = call.open(ciphertextBlob, Operation.RE_ENCRYPT_FROM, sourceContext);
          byte[] plaintext = source.plaintext();
          try {
            String destination =
                destinationKeyIdOrAlias != null ? destinationKeyIdOrAlias : source.keyId();
            return call.sealUnder(
                destination, Operation.RE_ENCRYPT_TO, plaintext, destinationContext);
          } finally {
            Arrays.fill(plaintext, (byte) 0);
          }
        });
  }

  @Override
  public byte[] generateRandom(Principal caller, int numberOfBytes) {
    return run(
        caller,
        Operation.GENERATE_RANDOM,
        EncryptionContext.empty(),
        call -> {
          if (numberOfBytes < 1 || numberOfBytes > 1024) {
            throw new KmsValidationException(
                "generate-random takes 1 to 1024 bytes, got " + numberOfBytes);
          }
          byte[] out = new byte[numberOfBytes];
          random.nextBytes(out);
          return out;
        });
  }

  // ---------------------------------------------------------------- rotation and policy

  @Override
  public KeyMetadata enableKeyRotation(Principal caller, String keyIdOrAlias, int periodDays) {
    return run(
        caller,
        Operation.ENABLE_KEY_ROTATION,
        EncryptionContext.empty(),
        call -> {
          if (periodDays < 90 || periodDays > 2560) {
            throw new KmsValidationException(
                "the rotation period must be 90 to 2560 days, got " + periodDays);
          }
          KeyEntry key = call.authorizeAdmin(keyIdOrAlias, Operation.ENABLE_KEY_ROTATION);
          requireRotatable(key);
          requireUsable(key);
          key.rotationPeriodDays = periodDays;
          key.nextRotationAt = now().plus(Duration.ofDays(periodDays)).toEpochMilli();
          call.dirty = true;
          return metadata(key);
        });
  }

  @Override
  public KeyMetadata disableKeyRotation(Principal caller, String keyIdOrAlias) {
    return run(
        caller,
        Operation.DISABLE_KEY_ROTATION,
        EncryptionContext.empty(),
        call -> {
          KeyEntry key = call.authorizeAdmin(keyIdOrAlias, Operation.DISABLE_KEY_ROTATION);
          key.rotationPeriodDays = null;
          key.nextRotationAt = null;
          call.dirty = true;
          return metadata(key);
        });
  }

  @Override
  public KeyMetadata rotateKeyOnDemand(Principal caller, String keyIdOrAlias) {
    return run(
        caller,
        Operation.ROTATE_KEY_ON_DEMAND,
        EncryptionContext.empty(),
        call -> {
          KeyEntry key = call.authorizeAdmin(keyIdOrAlias, Operation.ROTATE_KEY_ON_DEMAND);
          requireRotatable(key);
          requireUsable(key);
          addVersion(key, RotationEntry.Kind.ON_DEMAND);
          call.key(key.keyId, key.newest().version);
          call.dirty = true;
          return metadata(key);
        });
  }

  @Override
  public List<RotationEntry> listKeyRotations(Principal caller, String keyIdOrAlias) {
    return run(
        caller,
        Operation.LIST_KEY_ROTATIONS,
        EncryptionContext.empty(),
        call -> {
          KeyEntry key = call.authorizeAdmin(keyIdOrAlias, Operation.LIST_KEY_ROTATIONS);
          List<RotationEntry> out = new ArrayList<>();
          for (KeyVersion v : key.versions) {
            if (v.rotation != null) {
              out.add(
                  new RotationEntry(
                      key.keyId,
                      v.version,
                      Instant.ofEpochMilli(v.createdAt),
                      RotationEntry.Kind.valueOf(v.rotation)));
            }
          }
          return out;
        });
  }

  @Override
  public KeyPolicy getKeyPolicy(Principal caller, String keyIdOrAlias) {
    return run(
        caller,
        Operation.GET_KEY_POLICY,
        EncryptionContext.empty(),
        call ->
            PolicyStatement.toPolicy(
                call.authorizeAdmin(keyIdOrAlias, Operation.GET_KEY_POLICY).policy));
  }

  @Override
  public void putKeyPolicy(Principal caller, String keyIdOrAlias, KeyPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    run(
        caller,
        Operation.PUT_KEY_POLICY,
        EncryptionContext.empty(),
        call -> {
          KeyEntry key = call.authorizeAdmin(keyIdOrAlias, Operation.PUT_KEY_POLICY);
          key.policy = PolicyStatement.from(policy);
          call.dirty = true;
          return null;
        });
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      ciphers.clear();
      data = null;
      closeQuietly(audit);
    } finally {
      lock.unlock();
      lock.close();
    }
  }

  @Override
  public String toString() {
    return "LocalKms[keystore=" + keystorePath + "]";
  }

  // ---------------------------------------------------------------- engine

  /** The state of one operation while it runs under the lock. */
  private final class Call {
    final Principal caller;
    boolean dirty;
    String keyId;
    Integer keyVersion;

    Call(Principal caller) {
      this.caller = caller;
    }

    void key(String id, Integer version) {
      this.keyId = id;
      this.keyVersion = version;
    }

    /** Resolves a key, checks the policy for {@code op}, records the key for the audit. */
    KeyEntry authorize(String keyIdOrAlias, Operation op) {
      KeyEntry key = resolve(keyIdOrAlias, this);
      key(key.keyId, key.newest().version);
      if (!PolicyStatement.toPolicy(key.policy).allows(caller, op)) {
        throw new AccessDeniedException(
            "principal "
                + caller.name()
                + " is not allowed "
                + op.actionName()
                + " on key "
                + key.keyId
                + " by its key policy; ask the key's administrator to grant it (put-policy)");
      }
      return key;
    }

    KeyEntry authorizeAdmin(String keyIdOrAlias, Operation op) {
      if (isProvided(keyIdOrAlias)) {
        throw new KmsValidationException(
            keyIdOrAlias
                + " is a customer-provided key: the application manages it, so "
                + op.actionName()
                + " does not apply");
      }
      return authorize(keyIdOrAlias, op);
    }

    /** Encrypts under the newest version of a key the caller may use for {@code op}. */
    byte[] sealUnder(String keyIdOrAlias, Operation op, byte[] plaintext, EncryptionContext ctx) {
      if (isProvided(keyIdOrAlias)) {
        String name = keyIdOrAlias.substring(PROVIDED_PREFIX.length());
        byte[] header = CiphertextBlob.header(data.keystoreId, keyIdOrAlias, 1);
        key(keyIdOrAlias, 1);
        return CiphertextBlob.assemble(
            header, seal(providedCipher(name, this), plaintext, header, ctx));
      }
      KeyEntry key = authorize(keyIdOrAlias, op);
      requireUsable(key);
      KeyVersion version = key.newest();
      byte[] header = CiphertextBlob.header(data.keystoreId, key.keyId, version.version);
      return CiphertextBlob.assemble(header, seal(cipherFor(key, version), plaintext, header, ctx));
    }

    /** Decrypts a blob, checking the policy of the key it names for {@code op}. */
    Decrypted open(byte[] blobBytes, Operation op, EncryptionContext ctx) {
      CiphertextBlob blob = CiphertextBlob.parse(blobBytes);
      if (!Arrays.equals(blob.keystoreId(), data.keystoreId)) {
        throw new InvalidCiphertextException(
            "this ciphertext was made by another keystore (id "
                + hex(blob.keystoreId())
                + "), not by "
                + keystorePath
                + " (id "
                + hex(data.keystoreId)
                + ")");
      }
      AesGcm cipher;
      if (isProvided(blob.keyId())) {
        key(blob.keyId(), blob.keyVersion());
        cipher = providedCipher(blob.keyId().substring(PROVIDED_PREFIX.length()), this);
      } else {
        KeyEntry key = data.keys.get(blob.keyId());
        if (key == null) {
          throw new KeyNotFoundException(
              "the ciphertext names key "
                  + blob.keyId()
                  + ", which does not exist in "
                  + keystorePath
                  + " (it may have been deleted)");
        }
        authorize(key.keyId, op);
        key(key.keyId, blob.keyVersion());
        requireUsable(key);
        KeyVersion version = key.version(blob.keyVersion());
        if (version == null) {
          throw new InvalidCiphertextException(
              "the ciphertext names version "
                  + blob.keyVersion()
                  + " of key "
                  + key.keyId
                  + ", which has only "
                  + key.versions.size());
        }
        cipher = cipherFor(key, version);
      }
      try {
        byte[] plaintext = cipher.decrypt(blob.sealed(), associatedData(blob.header(), ctx));
        return new Decrypted(plaintext, blob.keyId(), blob.keyVersion());
      } catch (GeneralSecurityException e) {
        throw new InvalidCiphertextException(
            "cannot decrypt with key "
                + blob.keyId()
                + " version "
                + blob.keyVersion()
                + ": the ciphertext was changed, or the encryption context differs from the one"
                + " used to encrypt (context keys given: "
                + ctx.asMap().keySet()
                + ")");
      }
    }
  }

  @FunctionalInterface
  private interface Body<T> {
    T apply(Call call);
  }

  private <T> T run(Principal caller, Operation op, EncryptionContext context, Body<T> body) {
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(context, "context");
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("this LocalKms is closed");
      }
      reloadIfChanged();
      Call call = new Call(caller);
      T result;
      try {
        call.dirty |= applyDueDeletions();
        result = body.apply(call);
      } catch (AccessDeniedException e) {
        discardChanges(call);
        record(call, op, context, "DENIED", e.getClass().getSimpleName());
        throw e;
      } catch (KmsException | IllegalArgumentException e) {
        discardChanges(call);
        record(call, op, context, "FAILED", e.getClass().getSimpleName());
        throw e;
      }
      if (call.dirty) {
        save();
      }
      record(call, op, context, "ALLOWED", null);
      return result;
    } finally {
      lock.unlock();
    }
  }

  private void discardChanges(Call call) {
    if (call.dirty) {
      loadedFileKey = null;
      reloadIfChanged();
      call.dirty = false;
    }
  }

  private void record(
      Call call, Operation op, EncryptionContext context, String outcome, String detail) {
    appendAudit(
        new AuditRecord(
            now(),
            call.caller.name(),
            op.actionName(),
            call.keyId,
            call.keyVersion,
            context.asMap(),
            outcome,
            detail));
  }

  private void appendAudit(AuditRecord record) {
    try {
      audit.append(record);
    } catch (IOException e) {
      throw new KeystoreException(
          "cannot append to audit log " + audit.file() + ": " + e.getMessage(), e);
    }
  }

  private void reloadIfChanged() {
    Object fileKey = fileIdentity();
    if (data != null && fileKey != null && fileKey.equals(loadedFileKey)) {
      return;
    }
    data = KeystoreData.fromJson(file.read());
    loadedFileKey = fileKey;
    ciphers.clear();
  }

  private void save() {
    file.write(data.toJson());
    loadedFileKey = fileIdentity();
  }

  private Object fileIdentity() {
    try {
      BasicFileAttributes a = Files.readAttributes(keystorePath, BasicFileAttributes.class);
      return List.of(String.valueOf(a.fileKey()), a.lastModifiedTime().toMillis(), a.size());
    } catch (IOException e) {
      throw new KeystoreException(
          "keystore " + keystorePath + " disappeared while open: " + e.getMessage(), e);
    }
  }

  private Instant now() {
    return clock.instant();
  }

  private KeyEntry resolve(String keyIdOrAlias, Call call) {
    String ref = keyIdOrAlias == null || keyIdOrAlias.isBlank() ? DEFAULT_KEY_ALIAS : keyIdOrAlias;
    String keyId = ref;
    if (ref.startsWith("alias/")) {
      keyId = data.aliases.get(ref);
      if (keyId == null) {
        if (DEFAULT_KEY_ALIAS.equals(ref)) {
          keyId = createManagedDefaultKey().keyId;
          call.dirty = true;
        } else {
          throw new KeyNotFoundException(
              "no alias "
                  + ref
                  + " in keystore "
                  + keystorePath
                  + "; list aliases with `cloak kms list-keys` or create it with create-alias");
        }
      }
    }
    KeyEntry key = data.keys.get(keyId);
    if (key == null) {
      throw new KeyNotFoundException(
          "no key " + keyId + " in keystore " + keystorePath + " (see `cloak kms list-keys`)");
    }
    if (applyDueRotation(key)) {
      call.dirty = true;
    }
    return key;
  }

  private KeyEntry createManagedDefaultKey() {
    Set<Operation> use =
        EnumSet.of(
            Operation.DESCRIBE_KEY,
            Operation.LIST_KEY_ROTATIONS,
            Operation.GET_KEY_POLICY,
            Operation.ENCRYPT,
            Operation.DECRYPT,
            Operation.GENERATE_DATA_KEY,
            Operation.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT,
            Operation.RE_ENCRYPT_FROM,
            Operation.RE_ENCRYPT_TO);
    KeyPolicy policy =
        new KeyPolicy(List.of(new KeyPolicy.Statement(Set.of(KeyPolicy.ANY_PRINCIPAL), use)));
    KeyEntry key = newKey(Principal.SYSTEM, "Cloak managed default key", null, policy);
    key.rotationPeriodDays = MANAGED_KEY_ROTATION_DAYS;
    key.nextRotationAt = now().plus(Duration.ofDays(MANAGED_KEY_ROTATION_DAYS)).toEpochMilli();
    data.aliases.put(DEFAULT_KEY_ALIAS, key.keyId);
    return key;
  }

  private KeyEntry newKey(Principal creator, String description, byte[] imported, KeyPolicy p) {
    KeyEntry key = new KeyEntry();
    key.keyId = UUID.randomUUID().toString();
    key.description = description;
    key.state = KeyState.ENABLED.name();
    key.origin = imported == null ? KeyOrigin.GENERATED.name() : KeyOrigin.IMPORTED.name();
    key.creator = creator.name();
    key.createdAt = now().toEpochMilli();
    key.policy = PolicyStatement.from(p);
    KeyVersion v = new KeyVersion();
    v.version = 1;
    v.createdAt = key.createdAt;
    if (imported != null) {
      v.material = imported;
    } else {
      v.material = new byte[32];
      random.nextBytes(v.material);
    }
    key.versions.add(v);
    data.keys.put(key.keyId, key);
    return key;
  }

  private void addVersion(KeyEntry key, RotationEntry.Kind kind) {
    KeyVersion v = new KeyVersion();
    v.version = key.versions.size() + 1;
    v.createdAt = now().toEpochMilli();
    v.rotation = kind.name();
    v.material = new byte[32];
    random.nextBytes(v.material);
    key.versions.add(v);
  }

  /** Applies an automatic rotation that has come due; true if the key changed. */
  private boolean applyDueRotation(KeyEntry key) {
    if (key.rotationPeriodDays == null
        || key.nextRotationAt == null
        || !KeyState.ENABLED.name().equals(key.state)
        || now().toEpochMilli() < key.nextRotationAt) {
      return false;
    }
    addVersion(key, RotationEntry.Kind.AUTOMATIC);
    key.nextRotationAt = now().plus(Duration.ofDays(key.rotationPeriodDays)).toEpochMilli();
    appendAudit(
        new AuditRecord(
            now(),
            Principal.SYSTEM.name(),
            "kms:RotateKey",
            key.keyId,
            key.newest().version,
            Map.of(),
            "ALLOWED",
            "automatic rotation"));
    return true;
  }

  /** Destroys keys whose deletion date has passed; true if any was destroyed. */
  private boolean applyDueDeletions() {
    boolean changed = false;
    long nowMillis = now().toEpochMilli();
    for (Iterator<KeyEntry> it = data.keys.values().iterator(); it.hasNext(); ) {
      KeyEntry key = it.next();
      if (KeyState.PENDING_DELETION.name().equals(key.state)
          && key.deletionDate != null
          && nowMillis >= key.deletionDate) {
        it.remove();
        data.aliases.values().removeIf(key.keyId::equals);
        changed = true;
        appendAudit(
            new AuditRecord(
                now(),
                Principal.SYSTEM.name(),
                Operation.DELETE_KEY.actionName(),
                key.keyId,
                null,
                Map.of(),
                "ALLOWED",
                "deletion date reached; key material destroyed"));
      }
    }
    if (changed) {
      ciphers.clear();
    }
    return changed;
  }

  private AesGcm cipherFor(KeyEntry key, KeyVersion version) {
    return ciphers.computeIfAbsent(
        key.keyId + "#" + version.version,
        k -> {
          try {
            return new AesGcm(version.material);
          } catch (GeneralSecurityException e) {
            throw new KeystoreException("invalid key material for key " + key.keyId, e);
          }
        });
  }

  private AesGcm providedCipher(String name, Call call) {
    byte[] key =
        providedKeys
            .keyFor(name)
            .orElseThrow(
                () ->
                    new KeyNotFoundException(
                        "customer-provided key '"
                            + name
                            + "' was not supplied; set "
                            + ProvidedKeySource.variableName(name)
                            + " (64 hex digits or base64 of 32 bytes) or register a key callback"));
    try {
      if (key.length != 32) {
        throw new KmsValidationException(
            "customer-provided key '" + name + "' must be 32 bytes, got " + key.length);
      }
      ProvidedKeyEntry entry = data.provided.get(name);
      if (entry == null) {
        entry = new ProvidedKeyEntry();
        entry.name = name;
        entry.salt = new byte[16];
        random.nextBytes(entry.salt);
        entry.fingerprint = Hkdf.sha256(key, entry.salt, PROVIDED_FINGERPRINT_INFO, 32);
        entry.registeredAt = now().toEpochMilli();
        entry.registeredBy = call.caller.name();
        data.provided.put(name, entry);
        call.dirty = true;
      } else if (!MessageDigest.isEqual(
          entry.fingerprint, Hkdf.sha256(key, entry.salt, PROVIDED_FINGERPRINT_INFO, 32))) {
        throw new IncorrectKeyException(
            "the key supplied for provided:"
                + name
                + " is not the one first used with this keystore (fingerprint mismatch);"
                + " supply the original key");
      }
      byte[] derived = Hkdf.sha256(key, null, PROVIDED_BLOB_INFO, 32);
      try {
        return new AesGcm(derived);
      } finally {
        Arrays.fill(derived, (byte) 0);
      }
    } catch (GeneralSecurityException e) {
      throw new KeystoreException("cannot use customer-provided key '" + name + "'", e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private static byte[] seal(AesGcm cipher, byte[] plaintext, byte[] header, EncryptionContext c) {
    try {
      return cipher.encrypt(plaintext, associatedData(header, c));
    } catch (GeneralSecurityException e) {
      throw new KmsException("encryption failed: " + e.getMessage(), e);
    }
  }

  private static byte[] associatedData(byte[] header, EncryptionContext context) {
    byte[] ctx = context.canonicalBytes();
    byte[] ad = Arrays.copyOf(header, header.length + ctx.length);
    System.arraycopy(ctx, 0, ad, header.length, ctx.length);
    return ad;
  }

  private static void requireUsable(KeyEntry key) {
    if (KeyState.DISABLED.name().equals(key.state)) {
      throw new KeyDisabledException(
          "key " + key.keyId + " is disabled; enable it (`cloak kms enable`) to use it again");
    }
    if (KeyState.PENDING_DELETION.name().equals(key.state)) {
      throw new KeyPendingDeletionException(
          "key "
              + key.keyId
              + " is pending deletion on "
              + Instant.ofEpochMilli(key.deletionDate)
              + " and refuses every use; cancel the deletion (`cloak kms cancel-deletion`) to"
              + " use it again");
    }
  }

  private static void requireNotPendingDeletion(KeyEntry key, String what) {
    if (KeyState.PENDING_DELETION.name().equals(key.state)) {
      throw new KeyPendingDeletionException(
          "key " + key.keyId + " is pending deletion; cancel the deletion before you " + what);
    }
  }

  private static void requireRotatable(KeyEntry key) {
    if (KeyOrigin.IMPORTED.name().equals(key.origin)) {
      throw new KmsValidationException(
          "key "
              + key.keyId
              + " has imported material, which the KMS cannot renew; rotate manually: create a"
              + " new key and repoint the alias (update-alias)");
    }
  }

  private static void validateUserAlias(String alias) {
    if (alias == null || !ALIAS.matcher(alias).matches()) {
      throw new KmsValidationException(
          "alias '"
              + alias
              + "' is invalid: it must start with alias/ and use only letters, digits, / _ -");
    }
    if (alias.startsWith(MANAGED_ALIAS_PREFIX)) {
      throw new KmsValidationException(
          "aliases under " + MANAGED_ALIAS_PREFIX + " are reserved for Cloak's managed keys");
    }
  }

  private static boolean isProvided(String keyIdOrAlias) {
    return keyIdOrAlias != null && keyIdOrAlias.startsWith(PROVIDED_PREFIX);
  }

  private KeyMetadata providedMetadata(Call call, String keyId) {
    String name = keyId.substring(PROVIDED_PREFIX.length());
    providedCipher(name, call);
    call.key(keyId, 1);
    return providedMetadata(data.provided.get(name));
  }

  private static KeyMetadata providedMetadata(ProvidedKeyEntry p) {
    return new KeyMetadata(
        PROVIDED_PREFIX + p.name,
        "customer-provided key (only a salted fingerprint is stored)",
        KeyState.ENABLED,
        KeyOrigin.PROVIDED,
        Instant.ofEpochMilli(p.registeredAt),
        1,
        null,
        null,
        null,
        p.registeredBy);
  }

  private static KeyMetadata metadata(KeyEntry k) {
    return new KeyMetadata(
        k.keyId,
        k.description,
        KeyState.valueOf(k.state),
        KeyOrigin.valueOf(k.origin),
        Instant.ofEpochMilli(k.createdAt),
        k.newest().version,
        k.rotationPeriodDays,
        k.nextRotationAt == null ? null : Instant.ofEpochMilli(k.nextRotationAt),
        k.deletionDate == null ? null : Instant.ofEpochMilli(k.deletionDate),
        k.creator);
  }

  private static String hex(byte[] b) {
    return java.util.HexFormat.of().formatHex(b);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        // closing on an error path; the original error matters more
      }
    }
  }
}

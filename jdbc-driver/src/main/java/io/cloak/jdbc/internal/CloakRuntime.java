package io.cloak.jdbc.internal;

import io.cloak.config.CloakConfig;
import io.cloak.config.ColumnRule;
import io.cloak.config.ConfigException;
import io.cloak.config.ConfiguredKms;
import io.cloak.kms.AccessDeniedException;
import io.cloak.kms.KeyManagementService;
import io.cloak.kms.KmsException;
import io.cloak.kms.Principal;
import io.cloak.kms.cache.DataKeyCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Everything one configuration needs at run time: the parsed config, the KMS it names, the data-key
 * cache, and one {@link DatabaseContext} per database. Shared by every connection that uses the
 * same configuration file. Thread-safe.
 */
public final class CloakRuntime {
  /** JDBC connection property naming the configuration file. */
  public static final String CONFIG_PROPERTY = CloakConfig.FILE_PROPERTY;

  private static final Logger LOG = Logger.getLogger("io.cloak.jdbc");
  private static final ConcurrentHashMap<String, CloakRuntime> RUNTIMES = new ConcurrentHashMap<>();
  private static final java.util.Map<CloakConfig, CloakRuntime> BY_INSTANCE =
      new java.util.IdentityHashMap<>();

  final CloakConfig config;
  final KeyManagementService kms;
  final Principal principal;
  final DataKeyCache cache;
  private final ConcurrentHashMap<String, DatabaseContext> databases = new ConcurrentHashMap<>();

  private CloakRuntime(CloakConfig config) throws SQLException {
    this.config = config;
    try {
      this.kms = ConfiguredKms.open(config);
      this.principal = ConfiguredKms.principal(config);
    } catch (ConfigException e) {
      throw Errors.config(e);
    } catch (KmsException e) {
      throw Errors.kms("cannot open the KMS named in " + config.source(), e);
    }
    this.cache =
        DataKeyCache.builder(kms, principal)
            .maxAge(config.cache().maxAge())
            .maxUses(config.cache().maxUses())
            .maxBytes(config.cache().maxBytes())
            .build();
    validateKeys();
    LOG.info(
        () -> "Cloak: " + config.columns().size() + " encrypted column(s) from " + config.source());
  }

  /** The runtime for the configuration found from {@code explicitPath} or the usual places. */
  public static CloakRuntime forConfig(String explicitPath, ClassLoader loader)
      throws SQLException {
    CloakConfig config;
    try {
      config = CloakConfig.discover(explicitPath, loader);
    } catch (ConfigException e) {
      throw Errors.config(e);
    }
    return cached("file:" + config.source() + "@" + modified(config.source()), config);
  }

  /** The runtime for an already loaded configuration object. */
  public static CloakRuntime forConfig(CloakConfig config) throws SQLException {
    synchronized (BY_INSTANCE) {
      CloakRuntime runtime = BY_INSTANCE.get(config);
      if (runtime == null) {
        runtime = new CloakRuntime(config);
        BY_INSTANCE.put(config, runtime);
      }
      return runtime;
    }
  }

  private static CloakRuntime cached(String key, CloakConfig config) throws SQLException {
    CloakRuntime existing = RUNTIMES.get(key);
    if (existing != null) {
      return existing;
    }
    synchronized (RUNTIMES) {
      existing = RUNTIMES.get(key);
      if (existing == null) {
        existing = new CloakRuntime(config);
        RUNTIMES.put(key, existing);
      }
      return existing;
    }
  }

  private static long modified(String source) {
    try {
      Path p = Path.of(source);
      return Files.exists(p) ? Files.getLastModifiedTime(p).toMillis() : 0;
    } catch (RuntimeException | java.io.IOException e) {
      return 0;
    }
  }

  /** Opens a real connection and wraps it; {@code databaseId} names the database for caching. */
  public Connection connect(ConnectionFactory raw, String databaseId) throws SQLException {
    DatabaseContext db = databases.get(databaseId);
    if (db == null) {
      synchronized (databases) {
        db = databases.computeIfAbsent(databaseId, id -> new DatabaseContext(this, raw));
      }
    }
    Connection real = raw.connect();
    if (real == null) {
      throw new SQLException("Cloak: the real driver returned no connection", "08001");
    }
    try {
      db.validateSchemaOnce(real);
    } catch (SQLException | RuntimeException e) {
      real.close();
      throw e;
    }
    return ConnectionHandler.wrap(real, db);
  }

  /** Checks at start that every key the columns name exists and can be used. */
  private void validateKeys() throws SQLException {
    Set<String> checked = new HashSet<>();
    for (ColumnRule rule : config.columns()) {
      if (rule.key() == null || !checked.add(rule.key())) {
        continue;
      }
      try {
        kms.describeKey(principal, rule.key());
      } catch (AccessDeniedException e) {
        // the key exists; this principal may still be allowed to use it for data keys
      } catch (KmsException e) {
        throw new SQLException(
            "Cloak configuration error: "
                + config.source()
                + ":"
                + rule.line()
                + ": key "
                + rule.key()
                + " of column "
                + rule.qualifiedName()
                + " cannot be used: "
                + e.getMessage(),
            Errors.CONFIG,
            e);
      }
    }
  }
}

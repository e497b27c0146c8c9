package io.cloak.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloakConfigDiscoveryTest {
  @TempDir Path dir;
  final Map<String, String> env = new HashMap<>();
  final Properties system = new Properties();
  URLClassLoader withCloakYaml;
  URLClassLoader empty;
  Path explicit;
  Path fromProperty;
  Path fromEnv;

  @BeforeEach
  void setUp() throws Exception {
    URL folder =
        Path.of(CloakConfigDiscoveryTest.class.getResource("/config/cloak.yaml").toURI())
            .getParent()
            .toUri()
            .toURL();
    withCloakYaml = new URLClassLoader(new URL[] {folder}, null);
    empty = new URLClassLoader(new URL[0], null);
    explicit = write("explicit.yaml", "app:explicit");
    fromProperty = write("property.yaml", "app:property");
    fromEnv = write("env.yaml", "app:env");
  }

  @AfterEach
  void closeLoaders() throws Exception {
    withCloakYaml.close();
    empty.close();
  }

  Path write(String name, String principal) throws Exception {
    return Files.writeString(dir.resolve(name), "kms:\n  principal: " + principal + "\n");
  }

  String principalFound(String explicitPath, ClassLoader loader) {
    return CloakConfig.discover(explicitPath, loader, env, system).kms().principal();
  }

  @Test
  void explicitPathWinsOverEverythingElse() {
    system.setProperty(CloakConfig.FILE_PROPERTY, fromProperty.toString());
    env.put(CloakConfig.ENV, fromEnv.toString());

    CloakConfig config = CloakConfig.discover(explicit.toString(), withCloakYaml, env, system);

    assertEquals("app:explicit", config.kms().principal());
    assertEquals(explicit.toString(), config.source());
  }

  @Test
  void systemPropertyWinsOverEnvironmentAndClasspath() {
    system.setProperty(CloakConfig.FILE_PROPERTY, fromProperty.toString());
    env.put(CloakConfig.ENV, fromEnv.toString());

    assertEquals("app:property", principalFound(null, withCloakYaml));
  }

  @Test
  void environmentWinsOverClasspath() {
    env.put(CloakConfig.ENV, fromEnv.toString());

    assertEquals("app:env", principalFound(null, withCloakYaml));
  }

  @Test
  void classpathIsTheLastResort() {
    CloakConfig config = CloakConfig.discover(null, withCloakYaml, env, system);

    assertEquals("app:from-classpath", config.kms().principal());
    assertEquals("classpath:cloak.yaml", config.source());
    assertEquals("email", config.columns().get(0).column());
    assertEquals(5, config.columns().get(0).line());
  }

  @Test
  void blankSettingsCountAsUnset() {
    system.setProperty(CloakConfig.FILE_PROPERTY, " ");
    env.put(CloakConfig.ENV, "");

    assertEquals("app:from-classpath", principalFound("  ", withCloakYaml));
  }

  @Test
  void nothingFoundListsEveryPlaceItLooked() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> CloakConfig.discover(null, empty, env, system));

    assertEquals(
        "cloak config: no Cloak config found; looked at: the JDBC connection property or agent"
            + " argument cloak.config (not set), system property cloak.config (not set),"
            + " environment variable CLOAK_CONFIG (not set), cloak.yaml on the classpath (not"
            + " found). Point one of them at your cloak.yaml, e.g."
            + " -Dcloak.config=/etc/cloak/cloak.yaml",
        e.getMessage());
    assertEquals(0, e.line());
  }

  @Test
  void aPlaceNamingAMissingFileIsAnErrorNotAReasonToLookFurther() {
    Path missing = dir.resolve("missing.yaml");
    env.put(CloakConfig.ENV, missing.toString());

    ConfigException e =
        assertThrows(
            ConfigException.class, () -> CloakConfig.discover(null, withCloakYaml, env, system));

    assertEquals(missing.toString(), e.source());
    assertEquals(
        missing + ": config file does not exist (named by environment variable CLOAK_CONFIG)",
        e.getMessage().substring(0, e.getMessage().indexOf(';')));
  }

  @Test
  void invalidDiscoveredConfigNamesItsFileAndLine() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "kms:\n  tpye: local\n");
    system.setProperty(CloakConfig.FILE_PROPERTY, bad.toString());

    ConfigException e =
        assertThrows(
            ConfigException.class, () -> CloakConfig.discover(null, withCloakYaml, env, system));

    assertTrue(
        e.getMessage().startsWith(bad + ":2: unknown key 'tpye' in the kms section"),
        e.getMessage());
    assertEquals(2, e.line());
  }
}

package io.cloak.agent.file;

import io.cloak.config.CloakConfig;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code premain} of the manifest-only agent jar the child-JVM file tests use (the classes come
 * from the class path: the shaded {@code cloak-agent.jar} and the test classes). Runs {@link
 * FileFeature} as {@code AgentStartup} does, with {@link TestVolumeHandler} named the way the real
 * handler is wired. Argument: the volume folder.
 */
public final class FileHooksTestAgent {
  /** For each class under {@code org/example/}: whether its loaded form calls FileHooks. */
  public static final Map<String, Boolean> REWRITTEN =
      java.util.Collections.synchronizedMap(new TreeMap<>());

  private FileHooksTestAgent() {}

  public static void premain(String args, Instrumentation inst) throws Exception {
    Path volume = Path.of(args);
    CloakConfig config =
        CloakConfig.parse("volumes:\n  - path: " + volume + "\n", "test config", null);
    FileFeature feature =
        new FileFeature(FileFeature.handlerClass("io.cloak.agent.file.TestVolumeHandler"));
    if (!feature.enabled(config)) {
      throw new IllegalStateException("not enabled");
    }
    feature.prepare(config, inst);
    feature.installSeparately(inst);
    // registered after the feature's transformer: sees the class files it produced
    inst.addTransformer(new Recorder(), false);
    System.err.println("test-agent: files (" + feature.details() + ")");
  }

  /** Records whether classes under org/example/ refer to FileHooks once loaded. */
  static final class Recorder implements ClassFileTransformer {
    private static final byte[] HOOKS =
        "io/cloak/agent/boot/FileHooks".getBytes(StandardCharsets.UTF_8);

    @Override
    public byte[] transform(
        ClassLoader loader,
        String className,
        Class<?> classBeingRedefined,
        ProtectionDomain protectionDomain,
        byte[] classfileBuffer) {
      if (className != null && className.startsWith("org/example/")) {
        REWRITTEN.put(className, indexOf(classfileBuffer, HOOKS) >= 0);
      }
      return null;
    }

    static int indexOf(byte[] hay, byte[] needle) {
      outer:
      for (int i = 0; i <= hay.length - needle.length; i++) {
        for (int j = 0; j < needle.length; j++) {
          if (hay[i + j] != needle[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }
  }
}

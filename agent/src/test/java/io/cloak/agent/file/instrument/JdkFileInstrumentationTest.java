package io.cloak.agent.file.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The hooks against this JDK's own class files. That the hooked classes verify and behave is shown
 * by the child-JVM tests ({@code FileHooksAgentIT} and the volume ITs run with {@code
 * -XX:+BytecodeVerificationLocal}).
 */
class JdkFileInstrumentationTest {

  private static byte[] jdkClassFile(String internalName) throws IOException {
    try (InputStream in = Object.class.getResourceAsStream("/" + internalName + ".class")) {
      if (in == null) {
        throw new IOException("no class file for " + internalName);
      }
      return in.readAllBytes();
    }
  }

  @Test
  void everyHookFindsItsMethodInThisJdk() throws IOException {
    Set<String> applied = new HashSet<>();
    int expected = 0;
    for (Map.Entry<String, List<JdkFileInstrumentation.Hook>> e :
        JdkFileInstrumentation.HOOKS_BY_CLASS.entrySet()) {
      byte[] original = jdkClassFile(e.getKey());
      byte[] hooked = JdkFileInstrumentation.instrument(original, e.getValue(), applied);
      assertTrue(hooked.length > original.length, e.getKey() + " did not grow");
      expected += e.getValue().size();
    }
    assertEquals(expected, applied.size(), "hooks applied: " + applied);
    assertEquals(7, JdkFileInstrumentation.HOOKS_BY_CLASS.size());
  }

  @Test
  void aHookForAMethodTheClassLacksIsNotReportedAsApplied() throws IOException {
    JdkFileInstrumentation.Hook missing =
        new JdkFileInstrumentation.Hook(
            "java/io/FileInputStream",
            "readSomethingNew",
            "()I",
            false,
            JdkFileInstrumentation.Hook.Kind.STREAM,
            "read",
            0);
    Set<String> applied = new HashSet<>();
    JdkFileInstrumentation.instrument(
        jdkClassFile("java/io/FileInputStream"), List.of(missing), applied);
    assertTrue(applied.isEmpty(), "applied: " + applied);
  }

  @Test
  void anOutputOpenWithoutTheNativeOpenCallIsRefused() throws IOException {
    // FileInputStream.open(String) calls open0(String), not open0(String, boolean)
    JdkFileInstrumentation.Hook wrong =
        new JdkFileInstrumentation.Hook(
            "java/io/FileInputStream",
            "open",
            "(Ljava/lang/String;)V",
            false,
            JdkFileInstrumentation.Hook.Kind.OUTPUT_OPEN,
            "afterOpen",
            1);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                JdkFileInstrumentation.instrument(
                    jdkClassFile("java/io/FileInputStream"), List.of(wrong), new HashSet<>()));
    assertTrue(e.getMessage().contains("open0 0 times"), e.getMessage());
  }

  @Test
  void theBridgeMethodsOfThePosixViewAreHookedNotItsOwnMethod() throws IOException {
    List<JdkFileInstrumentation.Hook> posix =
        JdkFileInstrumentation.HOOKS_BY_CLASS.get("sun/nio/fs/UnixFileAttributeViews$Posix");
    List<String> bridges = new ArrayList<>();
    for (JdkFileInstrumentation.Hook hook : posix) {
      if (hook.bridge) {
        bridges.add(hook.descriptor);
      }
    }
    assertEquals(
        List.of(
            "()Ljava/nio/file/attribute/BasicFileAttributes;",
            "()Ljava/nio/file/attribute/PosixFileAttributes;"),
        bridges);
    Set<String> applied = new HashSet<>();
    JdkFileInstrumentation.instrument(
        jdkClassFile("sun/nio/fs/UnixFileAttributeViews$Posix"), posix, applied);
    assertEquals(posix.size(), applied.size(), "applied: " + applied);
  }
}

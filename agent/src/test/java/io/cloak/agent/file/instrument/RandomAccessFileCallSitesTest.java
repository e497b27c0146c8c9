package io.cloak.agent.file.instrument;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.example.cloakfiles.NoRaf;
import org.example.cloakfiles.RafUser;
import org.junit.jupiter.api.Test;

/**
 * The call-site rewriting on class files, without instrumentation (the child-JVM test does that).
 */
class RandomAccessFileCallSitesTest {
  static byte[] bytes(Class<?> type) throws Exception {
    try (InputStream in =
        type.getClassLoader().getResourceAsStream(type.getName().replace('.', '/') + ".class")) {
      return in.readAllBytes();
    }
  }

  static boolean mentions(byte[] classFile, String text) {
    return RandomAccessFileCallSites.contains(classFile, text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void rewritesLengthAndSetLengthToFileHooks() throws Exception {
    byte[] original = bytes(RafUser.class);
    byte[] rewritten = RandomAccessFileCallSites.rewrite(original);
    assertNotNull(rewritten);
    assertTrue(mentions(rewritten, "io/cloak/agent/boot/FileHooks"));
    assertFalse(mentions(original, "io/cloak/agent/boot/FileHooks"));
    // the rewritten class still loads and verifies
    Class<?> k =
        new ClassLoader(null) {
          Class<?> define() {
            return defineClass(RafUser.class.getName(), rewritten, 0, rewritten.length);
          }
        }.define();
    assertNotNull(k.getDeclaredMethod("length", java.io.RandomAccessFile.class));
  }

  @Test
  void leavesOtherClassesAlone() throws Exception {
    assertNull(RandomAccessFileCallSites.rewrite(bytes(NoRaf.class)));
    assertFalse(mentions(bytes(NoRaf.class), RandomAccessFileCallSites.RAF));
  }

  @Test
  void neverThrows() {
    byte[] garbage = ("xxxx" + RandomAccessFileCallSites.RAF).getBytes(StandardCharsets.UTF_8);
    RandomAccessFileCallSites t = new RandomAccessFileCallSites(null, null);
    assertNull(t.transform(null, null, "org/example/Bad", null, null, garbage));
    assertNull(t.transform(null, null, "io/cloak/agent/X", null, null, garbage));
  }
}

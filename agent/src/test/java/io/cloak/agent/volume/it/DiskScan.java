package io.cloak.agent.volume.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Reads the raw bytes of files on disk, in the test JVM (no agent), to look for plaintext. */
final class DiskScan {
  private DiskScan() {}

  /** The regular files under {@code root} whose raw bytes contain {@code needle}. */
  static List<Path> filesContaining(Path root, String needle) throws IOException {
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
    List<Path> hits = new ArrayList<>();
    for (Path p : regularFiles(root)) {
      if (indexOf(Files.readAllBytes(p), n) >= 0) {
        hits.add(p);
      }
    }
    return hits;
  }

  static List<Path> regularFiles(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  static boolean startsWithCloakHeader(Path p) throws IOException {
    byte[] head = new byte[4];
    try (var in = Files.newInputStream(p)) {
      return in.readNBytes(head, 0, 4) == 4
          && new String(head, StandardCharsets.US_ASCII).equals("CLKV");
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}

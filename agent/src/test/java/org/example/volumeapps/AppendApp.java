package org.example.volumeapps;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Appends fixed-size records to a file, one {@code write} per record, and prints {@code ACK n}
 * after each write returned; continues from the records already in the file. Knows nothing of
 * Cloak: the crash test runs it under the agent and kills it with SIGKILL.
 */
public final class AppendApp {
  /** Bytes per record. */
  public static final int RECORD = 64;

  private AppendApp() {}

  /** Record {@code i}: its number and the marker, padded to {@link #RECORD} bytes. */
  public static byte[] record(long i) {
    String s = String.format("REC%010d CONFIDENTIAL-APPEND-RECORD ", i);
    StringBuilder b = new StringBuilder(s);
    while (b.length() < RECORD - 1) {
      b.append('.');
    }
    b.append('\n');
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  public static void main(String[] args) throws IOException {
    File file = new File(args[0]);
    long next = file.length() / RECORD;
    System.out.println("START " + next);
    try (FileOutputStream out = new FileOutputStream(file, true)) {
      for (long i = next; ; i++) {
        out.write(record(i));
        System.out.println("ACK " + i);
      }
    }
  }
}

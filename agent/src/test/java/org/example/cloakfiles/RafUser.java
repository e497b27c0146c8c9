package org.example.cloakfiles;

import java.io.IOException;
import java.io.RandomAccessFile;

/** Calls the native RandomAccessFile.length()/setLength(long): the agent rewrites these sites. */
public final class RafUser {
  private RafUser() {}

  public static long length(RandomAccessFile f) throws IOException {
    return f.length();
  }

  public static void setLength(RandomAccessFile f, long n) throws IOException {
    f.setLength(n);
  }
}

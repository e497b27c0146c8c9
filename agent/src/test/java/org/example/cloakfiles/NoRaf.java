package org.example.cloakfiles;

/** Refers to no RandomAccessFile: the agent must leave it unchanged. */
public final class NoRaf {
  private NoRaf() {}

  public static String hello() {
    return "hello";
  }
}

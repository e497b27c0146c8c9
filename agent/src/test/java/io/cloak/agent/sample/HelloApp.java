package io.cloak.agent.sample;

/** The smallest application: used to measure JVM start-up with and without the agent. */
public final class HelloApp {
  private HelloApp() {}

  public static void main(String[] args) {
    System.out.println("HELLO");
  }
}

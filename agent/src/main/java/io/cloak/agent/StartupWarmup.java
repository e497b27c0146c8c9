package io.cloak.agent;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import io.cloak.crypto.AesGcm;
import io.cloak.crypto.AesKeyWrapPadded;
import io.cloak.crypto.Hkdf;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * Runs, on a spare core while the configuration is parsed, the cold JDK and Jackson code that
 * preparing the KMS and the volume keys needs next: the JCE providers, AES-GCM, AES-KWP, HMAC, the
 * DRBG and its seeding, a JSON parser and generator. Loading and initialising those classes takes
 * about 100 ms of the agent's start-up; done here it overlaps the config parse instead of following
 * it.
 *
 * <p>Uses only constant, all-zero keys and throwaway data; nothing it computes is kept. Any failure
 * is ignored: the real work then loads the same classes and reports its own errors. Not thread-safe
 * to share; one instance runs once on its own daemon thread.
 */
final class StartupWarmup implements Runnable {
  private volatile boolean cancelled;

  /** Starts a warm-up on a daemon thread and returns it, so that it can be cancelled. */
  static StartupWarmup start() {
    StartupWarmup warmup = new StartupWarmup();
    Thread thread = new Thread(warmup, "cloak-agent-warmup");
    thread.setDaemon(true);
    thread.setPriority(Thread.MIN_PRIORITY);
    thread.start();
    return warmup;
  }

  /** Stops before the next step: the configuration needs neither a KMS nor volume keys. */
  void cancel() {
    cancelled = true;
  }

  @Override
  public void run() {
    try {
      byte[] zeroKey = new byte[32];
      byte[] data = new byte[64];
      AesGcm gcm = new AesGcm(zeroKey);
      gcm.decrypt(gcm.encrypt(data, data), data);
      if (cancelled) {
        return;
      }
      AesKeyWrapPadded.unwrap(zeroKey, AesKeyWrapPadded.wrap(zeroKey, zeroKey));
      Hkdf.sha256(zeroKey, data, data, 32);
      if (cancelled) {
        return;
      }
      json();
      if (cancelled) {
        return;
      }
      new SecureRandom().nextBytes(data);
    } catch (Exception | LinkageError ignored) {
      // the real work loads the same classes and reports its own errors
    }
  }

  private static void json() throws IOException {
    JsonFactory factory = new JsonFactory();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator generator = factory.createGenerator(out)) {
      generator.writeStartObject();
      generator.writeStringField("name", "warm-up");
      generator.writeNumberField("version", 1);
      generator.writeBinaryField("bytes", new byte[16]);
      generator.writeArrayFieldStart("list");
      generator.writeBoolean(true);
      generator.writeNull();
      generator.writeEndArray();
      generator.writeEndObject();
    }
    try (JsonParser parser = factory.createParser(out.toByteArray())) {
      while (parser.nextToken() != null) {
        if (parser.currentToken().isScalarValue()) {
          parser.getText();
        }
      }
    }
    factory.createParser(out.toString(StandardCharsets.UTF_8)).close();
  }
}

package io.cloak.benchmarks;

import io.cloak.kms.DataKey;
import io.cloak.kms.Decrypted;
import io.cloak.kms.EncryptionContext;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Local KMS operations per second, single-threaded, on a keystore in a temporary folder: {@code
 * generateDataKey} (a fresh 256-bit key wrapped under the master key) and {@code decrypt} of such a
 * data-key blob. Each operation takes the keystore lock, checks the keystore file for changes,
 * checks the key policy and appends one audit record that is fsynced before the call returns, so
 * these figures are bounded by the disk's fsync latency, by design.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class KmsBenchmark {
  private TempKms temp;
  private EncryptionContext context;
  private byte[] wrappedDataKey;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    temp = new TempKms();
    context = EncryptionContext.of("purpose", "benchmark", "table", "orders");
    wrappedDataKey = generateDataKey().ciphertextBlob();
    if (decrypt().plaintext().length != 32) {
      throw new IllegalStateException("unexpected data key length");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (temp != null) {
      temp.close();
    }
  }

  @Benchmark
  public DataKey generateDataKey() {
    return temp.kms.generateDataKey(TempKms.PRINCIPAL, temp.keyId, context);
  }

  @Benchmark
  public Decrypted decrypt() {
    return temp.kms.decrypt(TempKms.PRINCIPAL, wrappedDataKey, context);
  }
}

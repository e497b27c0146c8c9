package io.cloak.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.CipherParameters;
import org.bouncycastle.crypto.DataLengthException;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * A Bouncy Castle {@link BlockCipher} (encryption only) backed by the JDK's AES, so that Bouncy
 * Castle's CMAC runs on the hardware-accelerated, table-free AES of the JDK instead of Bouncy
 * Castle's table-based software AES. Not thread-safe: one instance per thread.
 */
final class JdkAesBlockCipher implements BlockCipher {
  private static final int BLOCK = 16;
  private Cipher cipher;

  @Override
  public void init(boolean forEncryption, CipherParameters params) {
    if (!forEncryption || !(params instanceof KeyParameter key)) {
      throw new IllegalArgumentException("JdkAesBlockCipher only encrypts, with a KeyParameter");
    }
    try {
      cipher = JceCiphers.newCipher("AES/ECB/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key.getKey(), "AES"));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot initialise AES: " + e.getMessage(), e);
    }
  }

  @Override
  public String getAlgorithmName() {
    return "AES";
  }

  @Override
  public int getBlockSize() {
    return BLOCK;
  }

  @Override
  public int processBlock(byte[] in, int inOff, byte[] out, int outOff) {
    try {
      return cipher.update(in, inOff, BLOCK, out, outOff);
    } catch (ShortBufferException e) {
      throw new DataLengthException("output buffer too short");
    }
  }

  @Override
  public void reset() {
    // ECB keeps no state between blocks
  }
}

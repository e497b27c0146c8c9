package io.cloak.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BytesTest {

  @Test
  void equalComparesContentsAndRejectsNull() {
    assertTrue(Bytes.equal(new byte[] {1, 2}, new byte[] {1, 2}));
    assertTrue(Bytes.equal(new byte[0], new byte[0]));
    assertFalse(Bytes.equal(new byte[] {1, 2}, new byte[] {1, 3}));
    assertFalse(Bytes.equal(new byte[] {1, 2}, new byte[] {1, 2, 3}));
    assertFalse(Bytes.equal(null, new byte[0]));
    assertFalse(Bytes.equal(new byte[0], null));
  }

  @Test
  void concatJoinsPartsInOrder() {
    assertArrayEquals(
        new byte[] {1, 2, 3, 4},
        Bytes.concat(new byte[] {1}, new byte[0], new byte[] {2, 3}, new byte[] {4}));
    assertArrayEquals(new byte[0], Bytes.concat());
  }
}

package io.cloak.agent.file;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A concurrent map from objects, compared by identity and held weakly, to values. Lookups allocate
 * one small object and take no lock. Entries whose key was collected are dropped on the next {@link
 * #put} or {@link #remove}. Values must not refer to their keys strongly.
 */
final class WeakIdentityMap<V> {
  private final ConcurrentHashMap<Object, V> map = new ConcurrentHashMap<>();
  private final ReferenceQueue<Object> queue = new ReferenceQueue<>();
  private final AtomicInteger size = new AtomicInteger(); // entries, incl. not yet expunged

  private static final class WeakKey extends WeakReference<Object> {
    final int hash;

    WeakKey(Object key, ReferenceQueue<Object> queue) {
      super(key, queue);
      this.hash = System.identityHashCode(key);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      if (o == this) {
        return true;
      }
      if (o instanceof WeakKey w) {
        Object k = get();
        return k != null && k == w.get();
      }
      return false;
    }
  }

  /** A strong probe; {@code ConcurrentHashMap.get} calls {@code probe.equals(storedKey)}. */
  private static final class Probe {
    final Object key;
    final int hash;

    Probe(Object key) {
      this.key = key;
      this.hash = System.identityHashCode(key);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof WeakKey w && w.get() == key;
    }
  }

  /** Cheap: a volatile read when the map is empty. */
  V get(Object key) {
    if (size.get() == 0) {
      return null;
    }
    return map.get(new Probe(key));
  }

  void put(Object key, V value) {
    expunge();
    if (map.put(new WeakKey(key, queue), value) == null) {
      size.incrementAndGet();
    }
  }

  V remove(Object key) {
    expunge();
    // Remove by a WeakKey so that ConcurrentHashMap compares WeakKey.equals(stored).
    WeakKey probe = new WeakKey(key, null);
    V v = map.remove(probe);
    probe.clear();
    if (v != null) {
      size.decrementAndGet();
    }
    return v;
  }

  int size() {
    expunge();
    return map.size();
  }

  private void expunge() {
    for (Object ref; (ref = queue.poll()) != null; ) {
      if (map.remove(ref) != null) {
        size.decrementAndGet();
      }
    }
  }
}

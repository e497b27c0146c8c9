package io.cloak.jdbc.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.SQLException;
import java.sql.Wrapper;

/** Shared plumbing of the JDBC proxies: calling the real object and JDBC's unwrap contract. */
final class Delegation {
  private Delegation() {}

  static Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Handles unwrap/isWrapperFor; returns {@code NOT_HANDLED} for any other method. */
  static Object wrapperMethod(Object proxy, Wrapper real, Method method, Object[] args)
      throws SQLException {
    switch (method.getName()) {
      case "unwrap":
        Class<?> iface = (Class<?>) args[0];
        return iface.isInstance(proxy) ? proxy : real.unwrap(iface);
      case "isWrapperFor":
        Class<?> type = (Class<?>) args[0];
        return type.isInstance(proxy) || real.isWrapperFor(type);
      case "equals":
        return proxy == args[0];
      case "hashCode":
        return System.identityHashCode(proxy);
      default:
        return NOT_HANDLED;
    }
  }

  static final Object NOT_HANDLED = new Object();

  /** A proxy implementing {@code iface} whose calls go to {@code handler}. */
  static <T> T proxy(Class<T> iface, java.lang.reflect.InvocationHandler handler) {
    return iface.cast(
        java.lang.reflect.Proxy.newProxyInstance(
            Delegation.class.getClassLoader(), new Class<?>[] {iface}, handler));
  }
}

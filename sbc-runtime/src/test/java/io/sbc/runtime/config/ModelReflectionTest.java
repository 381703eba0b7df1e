package io.sbc.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.sbc.api.SipDispatcher;
import io.sbc.api.SipGateway;
import io.sbc.api.SipRoute;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every class a configuration document binds to is registered for reflection (native image). */
class ModelReflectionTest {
  @Test
  void everyModelClassIsRegistered() {
    Set<String> registered = new TreeSet<>();
    for (Class<?> c : ModelReflection.class.getAnnotation(RegisterForReflection.class).targets()) {
      registered.add(c.getName());
    }
    Set<String> model = new TreeSet<>();
    Deque<Class<?>> todo =
        new ArrayDeque<>(Arrays.asList(SipGateway.class, SipRoute.class, SipDispatcher.class));
    while (!todo.isEmpty()) {
      Class<?> c = todo.pop();
      if (!c.getName().startsWith("io.sbc.api.") || c.isEnum() || !model.add(c.getName())) {
        continue;
      }
      if (c.getSuperclass() != null) {
        todo.push(c.getSuperclass());
      }
      for (var f : c.getFields()) {
        if (Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        todo.push(f.getType());
        if (f.getGenericType() instanceof java.lang.reflect.ParameterizedType p) {
          for (var a : p.getActualTypeArguments()) {
            if (a instanceof Class<?> ac) {
              todo.push(ac);
            }
          }
        }
      }
    }
    model.removeIf(n -> n.startsWith("io.sbc.api.status."));
    model.removeAll(registered);
    assertEquals(Set.of(), model, "model classes missing from ModelReflection");
  }
}

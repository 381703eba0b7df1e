package io.sbc.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hand-written schema names exactly the model's fields, with matching types. */
class SchemaTest {

  @Test
  void gatewaySchemaMatchesTheModel() {
    assertMatches(SipGateway.class, Schema.GATEWAY, "SipGateway");
  }

  @Test
  void routeSchemaMatchesTheModel() {
    assertMatches(SipRoute.class, Schema.ROUTE, "SipRoute");
  }

  @Test
  void dispatcherSchemaMatchesTheModel() {
    assertMatches(SipDispatcher.class, Schema.DISPATCHER, "SipDispatcher");
  }

  @Test
  void kinds() {
    assertEquals(Schema.GATEWAY, Schema.ofKind("SipGateway"));
    assertEquals(Schema.ROUTE, Schema.ofKind("SipRoute"));
    assertEquals(Schema.DISPATCHER, Schema.ofKind("SipDispatcher"));
    assertEquals(null, Schema.ofKind("Gateway"));
  }

  private static void assertMatches(Class<?> type, Schema.Obj shape, String path) {
    List<Field> fields = new ArrayList<>();
    for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isPublic(f.getModifiers()) && !Modifier.isStatic(f.getModifiers())) {
          fields.add(f);
        }
      }
    }
    assertEquals(
        fields.stream().map(Field::getName).sorted().toList(),
        shape.fields().keySet().stream().sorted().toList(),
        "fields of " + path);
    for (Field f : fields) {
      assertType(f.getGenericType(), shape.fields().get(f.getName()), path + "." + f.getName());
    }
  }

  private static void assertType(Type t, Schema.Shape shape, String path) {
    if (t == String.class) {
      assertEquals(Schema.Scalar.STRING, shape, path);
    } else if (t == Integer.class || t == int.class) {
      assertEquals(Schema.Scalar.INT, shape, path);
    } else if (t == IntOrName.class) {
      assertEquals(Schema.Scalar.INT_OR_STRING, shape, path);
    } else if (t == Boolean.class || t == boolean.class) {
      assertEquals(Schema.Scalar.BOOL, shape, path);
    } else if (t instanceof ParameterizedType p && p.getRawType() == List.class) {
      Schema.ListOf l = assertInstanceOf(Schema.ListOf.class, shape, path);
      assertType(p.getActualTypeArguments()[0], l.item(), path + "[]");
    } else if (t instanceof ParameterizedType p && p.getRawType() == Map.class) {
      assertEquals(String.class, p.getActualTypeArguments()[0], path);
      Schema.MapOf m = assertInstanceOf(Schema.MapOf.class, shape, path);
      assertType(p.getActualTypeArguments()[1], m.value(), path + ".*");
    } else if (t instanceof Class<?> c) {
      assertMatches(c, assertInstanceOf(Schema.Obj.class, shape, path), path);
    } else {
      throw new AssertionError(path + ": type " + t + " has no schema counterpart");
    }
  }
}

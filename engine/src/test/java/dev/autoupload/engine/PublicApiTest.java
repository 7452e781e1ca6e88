package dev.autoupload.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine's API is every public type outside {@code dev.autoupload.engine.internal..}. An
 * embedder must be able to use it without meeting the machinery: no public or protected member of
 * an API type may mention an internal type, nor a Pekko, Typesafe Config or Scala type.
 */
class PublicApiTest {

  private static final String ROOT = "dev.autoupload.engine";
  private static final String INTERNAL = ROOT + ".internal";
  private static final List<String> FORBIDDEN_PREFIXES =
      List.of(INTERNAL + ".", "org.apache.pekko.", "com.typesafe.config.", "scala.");

  @Test
  void noPublicSignatureOfTheApiMentionsTheMachinery() throws Exception {
    List<Class<?>> api = apiTypes();
    assertThat(api).as("API types found").contains(UploadEngine.class);

    Set<String> offences = new TreeSet<>();
    for (Class<?> type : api) {
      for (Constructor<?> constructor : type.getDeclaredConstructors()) {
        if (visible(constructor.getModifiers())) {
          check(offences, constructor, type.getName() + ".<init>");
        }
      }
      for (Method method : type.getDeclaredMethods()) {
        if (visible(method.getModifiers()) && !method.isSynthetic() && !method.isBridge()) {
          check(offences, method, type.getName() + "." + method.getName());
          checkType(offences, method.getGenericReturnType(), type.getName() + "." + method.getName() + " returns");
        }
      }
      for (Field field : type.getDeclaredFields()) {
        if (visible(field.getModifiers()) && !field.isSynthetic()) {
          checkType(offences, field.getGenericType(), type.getName() + "." + field.getName());
        }
      }
    }
    assertThat(offences)
        .withFailMessage(
            "%d public signatures of the API mention internal, Pekko, Config or Scala types:%n%s",
            offences.size(), String.join(System.lineSeparator(), offences))
        .isEmpty();
  }

  @Test
  void findsOffencesInGenericArgumentsParametersAndExceptions() throws Exception {
    Set<String> offences = new TreeSet<>();
    check(offences, Offender.class.getDeclaredMethod("run", List.class), "run");
    checkType(offences, Offender.class.getDeclaredMethod("run", List.class).getGenericReturnType(), "run returns");
    assertThat(offences)
        .anyMatch(o -> o.contains("scala.Option"))
        .anyMatch(o -> o.contains("com.typesafe.config.Config"))
        .anyMatch(o -> o.contains("org.apache.pekko.pattern.AskTimeoutException"));
  }

  private interface Offender {
    scala.Option<String> run(List<? extends com.typesafe.config.Config> configs)
        throws org.apache.pekko.pattern.AskTimeoutException;
  }

  private static void check(Set<String> offences, Executable executable, String where) {
    for (Type parameter : executable.getGenericParameterTypes()) {
      checkType(offences, parameter, where + " takes");
    }
    for (Type exception : executable.getGenericExceptionTypes()) {
      checkType(offences, exception, where + " throws");
    }
    for (TypeVariable<?> variable : executable.getTypeParameters()) {
      for (Type bound : variable.getBounds()) {
        checkType(offences, bound, where + " bounds <" + variable.getName() + ">");
      }
    }
  }

  private static void checkType(Set<String> offences, Type type, String where) {
    collect(type, new HashSet<>()).stream()
        .filter(name -> FORBIDDEN_PREFIXES.stream().anyMatch(name::startsWith))
        .forEach(name -> offences.add(where + " " + name));
  }

  private static Set<String> collect(Type type, Set<String> names) {
    if (type instanceof Class<?> c) {
      Class<?> element = c;
      while (element.isArray()) {
        element = element.getComponentType();
      }
      names.add(element.getName());
    } else if (type instanceof ParameterizedType p) {
      collect(p.getRawType(), names);
      for (Type argument : p.getActualTypeArguments()) {
        collect(argument, names);
      }
    } else if (type instanceof GenericArrayType a) {
      collect(a.getGenericComponentType(), names);
    } else if (type instanceof WildcardType w) {
      for (Type bound : w.getUpperBounds()) {
        collect(bound, names);
      }
      for (Type bound : w.getLowerBounds()) {
        collect(bound, names);
      }
    } else if (type instanceof TypeVariable<?> v && names.add("<" + v.getName() + ">")) {
      for (Type bound : v.getBounds()) {
        collect(bound, names);
      }
    }
    return names;
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  /** Public types, and nested public or protected types of them. */
  private static List<Class<?>> apiTypes() throws IOException, URISyntaxException, ClassNotFoundException {
    Path classes = Path.of(UploadEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> api = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(classes)) {
      files = walk.filter(f -> f.toString().endsWith(".class")).toList();
    }
    for (Path file : files) {
      String name = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
      name = name.substring(0, name.length() - ".class".length());
      if (!name.startsWith(ROOT + ".") || name.startsWith(INTERNAL + ".") || name.endsWith("package-info")) {
        continue;
      }
      Class<?> type = Class.forName(name, false, UploadEngine.class.getClassLoader());
      if (exposed(type)) {
        api.add(type);
      }
    }
    return api;
  }

  private static boolean exposed(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
      if (!visible(t.getModifiers()) || t.isAnonymousClass() || t.isLocalClass()) {
        return false;
      }
    }
    return true;
  }
}

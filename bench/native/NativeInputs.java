// Writes what bench/native-check.sh hands GraalVM's builder when no native-image driver exists:
// the builder JVM's --add-exports lines, the C headers its CContext queries compile against, and
// the driver options of Quarkus's argument file translated into the builder's hosted options.
// Runs on a JDK 25 in source-file mode with the builder jars on the class path.
//
//   java --add-modules ALL-DEFAULT -cp BUILDER_JARS NativeInputs.java exports MODULE_PATH > exports.args
//   java -cp BUILDER_JARS NativeInputs.java headers OUT_DIR
//   java -cp BUILDER_JARS NativeInputs.java options JVM_OUT BUILDER_OUT ARG_FILE...
import java.lang.annotation.Annotation;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

public class NativeInputs {
  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "exports" -> exports(args[1]);
      case "headers" -> headers(Path.of(args[1]));
      case "options" -> options(Path.of(args[1]), Path.of(args[2]), Arrays.copyOfRange(args, 3, args.length));
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }

  // The builder reaches into JDK internals everywhere; the driver opens them with one
  // --add-exports per package. Here: every package a system module does not export, to every
  // module of the builder's module path.
  static void exports(String modulePath) {
    Path[] jars = Arrays.stream(modulePath.split(":")).filter(s -> !s.isEmpty()).map(Path::of).toArray(Path[]::new);
    Set<String> builder = new TreeSet<>();
    for (ModuleReference m : ModuleFinder.of(jars).findAll()) builder.add(m.descriptor().name());
    builder.add("ALL-UNNAMED");
    String to = String.join(",", builder);
    for (ModuleReference m : ModuleFinder.ofSystem().findAll()) {
      ModuleDescriptor d = m.descriptor();
      if (ModuleLayer.boot().findModule(d.name()).isEmpty()) {
        continue; // not resolved by default (jdk.hotspot.agent): the builder's JVM would warn
      }
      Set<String> open = new TreeSet<>();
      for (ModuleDescriptor.Exports e : d.exports()) if (!e.isQualified()) open.add(e.source());
      for (String p : new TreeSet<>(d.packages())) if (!open.contains(p)) System.out.println("--add-exports=" + d.name() + "/" + p + "=" + to);
    }
  }

  // The headers of svm's own C helper library are not published on Maven Central. The builder
  // only compiles them to learn struct layouts and constants, so each is written from the Java
  // interface the builder reads it through: a @CStruct per typedef, a @CField per member, a
  // @CConstant per constant. (Layouts are right; the constants' values matter only to an
  // executable, which this check never links.)
  static void headers(Path out) throws Exception {
    Files.createDirectories(out);
    Map<String, String> helpers = new LinkedHashMap<>();
    helpers.put("amd64cpufeatures.h", "com.oracle.svm.core.amd64.AMD64LibCHelper");
    helpers.put("aarch64cpufeatures.h", "com.oracle.svm.core.aarch64.AArch64LibCHelper");
    helpers.put("riscv64cpufeatures.h", "com.oracle.svm.core.riscv64.RISCV64LibCHelper");
    helpers.put("svm_locale.h", "com.oracle.svm.core.c.locale.LocaleCHelper");
    ClassLoader cl = NativeInputs.class.getClassLoader();
    Class<? extends Annotation> cStruct = annotation(cl, "org.graalvm.nativeimage.c.struct.CStruct");
    Class<? extends Annotation> cField = annotation(cl, "org.graalvm.nativeimage.c.struct.CField");
    Class<? extends Annotation> cConstant = annotation(cl, "org.graalvm.nativeimage.c.constant.CConstant");
    for (Map.Entry<String, String> h : helpers.entrySet()) {
      Class<?> helper = Class.forName(h.getValue(), false, cl);
      StringBuilder text = new StringBuilder("/* written by bench/native/NativeInputs.java from " + h.getValue() + " */\n");
      int constant = 0;
      for (Method m : sorted(helper.getDeclaredMethods())) {
        Annotation a = m.getAnnotation(cConstant);
        if (a != null) text.append("const int ").append(name(a, m)).append(" = ").append(constant++).append(";\n");
      }
      for (Class<?> nested : helper.getDeclaredClasses()) {
        Annotation s = nested.getAnnotation(cStruct);
        if (s == null) continue;
        text.append("typedef struct {\n");
        for (Method m : sorted(nested.getDeclaredMethods())) {
          Annotation f = m.getAnnotation(cField);
          if (f != null && m.getParameterCount() == 0) text.append("  ").append(cType(m.getReturnType())).append(' ').append(name(f, m)).append(";\n");
        }
        // @CStruct without a value names the struct after the interface (CPUFeatures).
        String struct = value(s).isEmpty() ? nested.getSimpleName() : value(s);
        text.append("} ").append(struct).append(";\n");
      }
      Files.writeString(out.resolve(h.getKey()), text);
    }
  }

  static List<Method> sorted(Method[] methods) {
    List<Method> list = new ArrayList<>(Arrays.asList(methods));
    list.sort((a, b) -> a.getName().compareTo(b.getName()));
    return list;
  }

  static String cType(Class<?> t) {
    if (t == boolean.class || t == byte.class) return "char";
    if (t == short.class) return "short";
    if (t == int.class) return "int";
    if (t == long.class) return "long long";
    return "char*";
  }

  static String name(Annotation a, Method m) throws Exception {
    String v = value(a);
    return v.isEmpty() ? m.getName() : v;
  }

  static String value(Annotation a) throws Exception {
    return (String) a.annotationType().getMethod("value").invoke(a);
  }

  @SuppressWarnings("unchecked")
  static Class<? extends Annotation> annotation(ClassLoader cl, String name) throws Exception {
    return (Class<? extends Annotation>) Class.forName(name, false, cl);
  }

  /** One driver option of the builder: a hosted option field and its @APIOption. */
  record ApiOption(String hostedName, boolean isBoolean, Annotation api) {}

  // What the native-image launcher does with its command line, for the options it hands to the
  // builder: -J options go to the builder's JVM, -H: options pass as they are, --name[=value]
  // becomes the hosted option its @APIOption annotation names (with its fixed or default value
  // and its value transformer), and -jar puts the jar and its Class-Path on the image class path.
  static void options(Path jvmOut, Path builderOut, String[] argFiles) throws Exception {
    Map<String, ApiOption> api = apiOptions();
    List<String> jvm = new ArrayList<>();
    List<String> builder = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    List<Path> classPath = new ArrayList<>();
    for (String file : argFiles) {
      Path base = Path.of(file).toAbsolutePath().getParent();
      translateAll(tokens(Files.readString(Path.of(file))), base, api, jvm, builder, ignored, classPath);
    }
    // The launcher also reads the Args of every native-image.properties on the class path
    // (Netty's say which of its classes initialise at run time).
    for (Path entry : classPath) {
      try (java.util.jar.JarFile j = new java.util.jar.JarFile(entry.toFile())) {
        for (var e : j.stream().filter(e -> e.getName().startsWith("META-INF/native-image/") && e.getName().endsWith("/native-image.properties")).collect(Collectors.toList())) {
          java.util.Properties p = new java.util.Properties();
          p.load(j.getInputStream(e));
          String a = p.getProperty("Args");
          if (a != null) translateAll(Arrays.asList(a.trim().split("\\s+")), entry.getParent(), api, jvm, builder, ignored, new ArrayList<>());
        }
      }
    }
    Files.write(jvmOut, jvm);
    Files.write(builderOut, builder);
    for (String i : ignored) System.err.println("native-check: not translated (launcher only): " + i);
  }

  static void translateAll(List<String> tokens, Path base, Map<String, ApiOption> api, List<String> jvm, List<String> builder, List<String> ignored, List<Path> classPath) throws Exception {
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      if (t.startsWith("-J")) {
        jvm.add(t.substring(2));
      } else if (t.startsWith("-H:")) {
        builder.add(t);
      } else if (t.equals("-jar")) {
        jar(base.resolve(tokens.get(++i)), builder, classPath);
      } else if (t.equals("--exclude-config")) {
        // The launcher's own filter on the configuration files it collects; the builder reads
        // every META-INF/native-image file, so the excluded ones are read too (two Netty
        // reflection lists: more registered, nothing less checked).
        ignored.add(t + " " + tokens.get(++i) + " " + tokens.get(++i));
      } else if (t.startsWith("-")) {
        String translated = translate(t, api);
        if (translated == null) ignored.add(t);
        else builder.add(translated);
      } else {
        builder.add("-H:Name=" + t);
      }
    }
  }

  static void jar(Path jar, List<String> builder, List<Path> classPath) throws Exception {
    try (java.util.jar.JarFile j = new java.util.jar.JarFile(jar.toFile())) {
      java.util.jar.Attributes main = j.getManifest().getMainAttributes();
      List<String> cp = new ArrayList<>();
      classPath.add(jar);
      String manifestPath = main.getValue("Class-Path");
      if (manifestPath != null) for (String e : manifestPath.trim().split("\\s+")) classPath.add(jar.getParent().resolve(e));
      for (Path p : classPath) cp.add(p.toString());
      builder.add("-imagecp");
      builder.add(String.join(":", cp));
      builder.add("-H:Class=" + main.getValue("Main-Class"));
    }
  }

  static String translate(String token, Map<String, ApiOption> api) throws Exception {
    String key = token;
    String value = null;
    int eq = token.indexOf('=');
    if (eq > 0) {
      key = token.substring(0, eq);
      value = token.substring(eq + 1);
    }
    String name = key.startsWith("--") ? key.substring(2) : key;
    ApiOption o = api.get(name);
    if (o == null) return null;
    Annotation a = o.api();
    String[] fixed = (String[]) call(a, "fixedValue");
    String[] defaults = (String[]) call(a, "defaultValue");
    boolean negated = call(a, "kind").toString().equals("Negated");
    if (o.isBoolean() && value == null && fixed.length == 0) return "-H:" + (negated ? "-" : "+") + o.hostedName();
    if (fixed.length > 0) value = fixed[0];
    if (value == null) value = defaults.length > 0 ? defaults[0] : "";
    Object v = value;
    for (Class<?> transformer : (Class<?>[]) call(a, "valueTransformer")) {
      var constructor = transformer.getDeclaredConstructor();
      constructor.setAccessible(true);
      @SuppressWarnings("unchecked")
      Function<Object, Object> f = (Function<Object, Object>) constructor.newInstance();
      v = f.apply(v);
    }
    return "-H:" + o.hostedName() + "=" + v;
  }

  static Object call(Annotation a, String method) throws Exception {
    return a.annotationType().getMethod(method).invoke(a);
  }

  // Every hosted option carrying @APIOption, found in the classes of the svm jar that mention it.
  static Map<String, ApiOption> apiOptions() throws Exception {
    ClassLoader cl = NativeInputs.class.getClassLoader();
    Class<? extends Annotation> one = annotation(cl, "com.oracle.svm.core.option.APIOption");
    Class<? extends Annotation> list = annotation(cl, "com.oracle.svm.core.option.APIOption$List");
    Map<String, ApiOption> byName = new HashMap<>();
    String svmJar = Arrays.stream(System.getProperty("java.class.path").split(":")).filter(p -> p.matches(".*/svm-[0-9.]+\\.jar")).findFirst().orElseThrow();
    List<String> classes;
    try (java.util.jar.JarFile j = new java.util.jar.JarFile(svmJar)) {
      byte[] marker = "Lcom/oracle/svm/core/option/APIOption".getBytes();
      classes = new ArrayList<>();
      for (var e : j.stream().filter(e -> e.getName().endsWith(".class")).collect(Collectors.toList())) {
        byte[] b = j.getInputStream(e).readAllBytes();
        if (contains(b, marker)) classes.add(e.getName().replace('/', '.').replaceAll("\\.class$", ""));
      }
    }
    for (String c : classes) {
      Field[] fields;
      try {
        fields = Class.forName(c, false, cl).getDeclaredFields();
      } catch (Throwable t) {
        continue;
      }
      for (Field f : fields) {
        List<Annotation> as = new ArrayList<>();
        if (f.getAnnotation(one) != null) as.add(f.getAnnotation(one));
        Annotation many = f.getAnnotation(list);
        if (many != null) as.addAll(Arrays.asList((Annotation[]) call(many, "value")));
        if (as.isEmpty()) continue;
        // HostedOptionKey<Boolean>: read from the declared type, since reading the field would
        // initialise option classes that need JVMCI.
        boolean isBoolean = f.getGenericType() instanceof java.lang.reflect.ParameterizedType pt && pt.getActualTypeArguments()[0] == Boolean.class;
        for (Annotation a : as) for (String n : (String[]) call(a, "name")) byName.put(n, new ApiOption(f.getName(), isBoolean, a));
      }
    }
    return byName;
  }

  static boolean contains(byte[] b, byte[] m) {
    outer:
    for (int i = 0; i + m.length <= b.length; i++) {
      for (int k = 0; k < m.length; k++) if (b[i + k] != m[k]) continue outer;
      return true;
    }
    return false;
  }

  // The launcher's argument files: whitespace separates, a backslash escapes the next character
  // (Quarkus writes io\.netty), and a properties continuation (backslash, newline) joins lines.
  static List<String> tokens(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder t = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length()) {
        char n = text.charAt(++i);
        if (n != '\n') t.append(n);
        else if (t.length() > 0) {
          out.add(t.toString());
          t.setLength(0);
        }
      } else if (Character.isWhitespace(c)) {
        if (t.length() > 0) out.add(t.toString());
        t.setLength(0);
      } else {
        t.append(c);
      }
    }
    if (t.length() > 0) out.add(t.toString());
    return out;
  }
}

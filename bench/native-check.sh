#!/usr/bin/env bash
# Native-image compile check of sbc-runtime without a GraalVM distribution (none is reachable
# here; ../shared/notes/NATIVE.md): Quarkus writes the native-image inputs (native-sources: the
# runner jar, lib/ and native-image.args), and GraalVM's image builder from Maven Central
# (org.graalvm.nativeimage:svm) runs over them on the Temurin 25 JDK, through class
# initialisation, points-to analysis, universe building, compilation and writing the
# relocatable object file. It stops there (-H:+ExitAfterRelocatableImageWrite): linking needs
# the JDK's static libraries and svm's C libraries, which no registry here serves.
#
#   bench/native-check.sh            exit 0 when the object file was written
#
# Quarkus's features read the GraalVM version from org.graalvm.vendorversion, which a GraalVM JDK
# sets; it is set below. Heavy: measured 25 min (21.5 min in the builder, 4 GB peak RSS) on 2 busy
# cores; ~10-15 min and ~6 GB of heap on 2 cores. Output and logs in sbc-runtime/target/native-check/
# (log: builder.log). Leaves sbc-runtime/target holding the native-sources build: package again
# (mvn package) before running the system tests.
# Environment: REUSE_SOURCES=1 (keep an existing native-sources build), JDK25 (default: the Temurin 25 under /usr/lib/jvm), BUILDER_HEAP (default 6g).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
JDK25=${JDK25:-$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -1)}
[ -x "$JDK25/bin/java" ] || { echo "native-check: no JDK 25 (set JDK25; Temurin 25 has the JVMCI module the builder needs)" >&2; exit 2; }
command -v gcc >/dev/null || { echo "native-check: gcc is needed (the builder compiles C queries; apt-get install gcc)" >&2; exit 2; }
WORK=$REPO/sbc-runtime/target/native-check
SOURCES=$REPO/sbc-runtime/target/native-sources
start=$(date +%s)

if [ "${REUSE_SOURCES:-0}" = 1 ] && [ -f "$SOURCES/native-image.args" ]; then
  echo "native-check: 1/4 native-sources of sbc-runtime: reusing $SOURCES (REUSE_SOURCES=1)"
else
  echo "native-check: 1/4 native-sources of sbc-runtime (Quarkus, no builder run)"
  mvn -B -q package -pl sbc-api,sbc-runtime -DskipTests \
    -Dquarkus.native.enabled=true -Dquarkus.native.sources-only=true
fi
rm -rf "$WORK"
mkdir -p "$WORK/out" "$WORK/clib/include"

echo "native-check: 2/4 the builder's jars from Maven Central"
mvn -B -q -f bench/native/pom.xml dependency:build-classpath -Dmdep.outputFile="$WORK/builder.classpath"
BUILDER_CP=$(cat "$WORK/builder.classpath")
COMPILER_JAR=$(tr ':' '\n' < "$WORK/builder.classpath" | grep '/compiler-[0-9.]*\.jar$')
MODULE_PATH=$(tr ':' '\n' < "$WORK/builder.classpath" | grep -v '/compiler-[0-9.]*\.jar$' | paste -sd:)
GRAALVM_VERSION=$(basename "$COMPILER_JAR" .jar); GRAALVM_VERSION=${GRAALVM_VERSION#compiler-}

echo "native-check: 3/4 stand-ins for the parts of a GraalVM distribution Maven Central lacks"
# A copy of the JDK (hard links where the file system allows) holding the progress reporter's
# JNI library where the builder looks for it (java.home/lib/svm/builder/lib); symbolic links
# would not do: the JVM finds java.home from the real path of libjvm.so.
cp -al "$JDK25" "$WORK/jdk" 2>/dev/null || cp -a "$JDK25" "$WORK/jdk"
mkdir -p "$WORK/jdk/lib/svm/builder/lib"
gcc -shared -fPIC -O2 -I"$JDK25/include" -I"$JDK25/include/linux" \
  -o "$WORK/jdk/lib/svm/builder/lib/libreporterchelper.so" bench/native/reporterchelper.c
INPUTS="$JDK25/bin/java -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI --add-modules ALL-DEFAULT -cp $BUILDER_CP bench/native/NativeInputs.java"
$INPUTS exports "$BUILDER_CP" > "$WORK/exports.args"
$INPUTS headers "$WORK/clib/include"
$INPUTS options "$WORK/jvm.args" "$WORK/builder.args" "$SOURCES/native-image.args"

# The launcher reads @files only before the main module: the builder's own arguments go inline.
mapfile -t BUILDER_ARGS < "$WORK/builder.args"

echo "native-check: 4/4 the image builder $GRAALVM_VERSION up to the object file (log: $WORK/builder.log)"
set +e
(cd "$SOURCES" && timeout 3600 "$WORK/jdk/bin/java" \
  -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI -XX:-UseJVMCICompiler \
  --enable-native-access=org.graalvm.nativeimage.builder -Xss10m -Xmx${BUILDER_HEAP:-6g} -XX:+UseParallelGC -Djava.awt.headless=true \
  -Djdk.internal.lambda.disableEagerInitialization=true \
  -Dorg.graalvm.vendor=native-check -Dorg.graalvm.version="$GRAALVM_VERSION" \
  -Dorg.graalvm.vendorversion="GraalVM CE $GRAALVM_VERSION+1.1" \
  -Dorg.graalvm.nativeimage.imagecode=buildtime \
  -Djava.system.class.loader=com.oracle.svm.hosted.NativeImageSystemClassLoader \
  @"$WORK/exports.args" @"$WORK/jvm.args" \
  --upgrade-module-path "$COMPILER_JAR" --module-path "$MODULE_PATH" --add-modules ALL-DEFAULT \
  -m org.graalvm.nativeimage.builder/com.oracle.svm.hosted.NativeImageGeneratorRunner \
  -H:ImageBuildID="$(cat /proc/sys/kernel/random/uuid)" \
  "${BUILDER_ARGS[@]}" \
  -H:Path="$WORK/out" -H:CLibraryPath="$WORK/clib" \
  -H:+UnlockExperimentalVMOptions -H:+ExitAfterRelocatableImageWrite) > "$WORK/builder.log" 2>&1
rc=$?
set -e
elapsed=$(( $(date +%s) - start ))
# The relocatable object goes to the builder's temporary directory, removed when it exits: the
# builder's own "Finished generating" after stage 7/8 is the evidence.
object=$(grep -m1 '^Finished generating' "$WORK/builder.log" || true)
grep -E '^\[[0-9]/[0-9]\]|Peak RSS|Finished generating|Error:|error:' "$WORK/builder.log" | tail -30 || true
if [ $rc -eq 0 ] && [ -n "$object" ]; then
  echo "native-check: PASS: $object (relocatable object, unlinked); ${elapsed}s in all"
  exit 0
fi
echo "native-check: FAIL (builder exit $rc, ${elapsed}s); see $WORK/builder.log" >&2
exit 1

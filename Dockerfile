# Outrigger as a container: a sidecar that runs as non-root on a read-only root filesystem.
#
#   docker build -t outrigger .
#   docker run --read-only --tmpfs /tmp -v $PWD/examples:/etc/outrigger:ro outrigger run -c /etc/outrigger/outrigger.yaml
#
# Both bases are build arguments: any image with Maven and JDK 17 builds, any image with a Java 17 runtime and /bin/sh
# runs (the defaults are the official ones). `--target prebuilt` packages proxy/target/outrigger.jar built on the host
# by `mvn package` instead of building inside (what the pod test in CI does).
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY . .
RUN mvn -B -q package -DskipTests

FROM ${RUNTIME_IMAGE} AS runtime
# A sidecar's heap stays small: bodies stream through pooled direct buffers, never aggregated (README: JVM flags).
# -XX:-UsePerfData: no hsperfdata file, so nothing but Netty's native library (extracted to /tmp; NIO if /tmp is not
# writable) needs a writable filesystem. -XX:TrimNativeHeapInterval (JDK 17.0.9+) gives the JIT's freed arenas back.
# JAVA_CDS: the class-data archive the image's training run wrote (below); a JVM that cannot use it starts without.
ENV MALLOC_ARENA_MAX=2 \
    JAVA_OPTS="-XX:+UseSerialGC -Xms16m -Xmx64m -XX:MaxDirectMemorySize=32m -XX:ReservedCodeCacheSize=24m -XX:MaxMetaspaceSize=40m -Xss256k -XX:CICompilerCount=2 -XX:TrimNativeHeapInterval=2000 -XX:-UsePerfData -Dio.netty.leakDetection.level=disabled -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1" \
    JAVA_CDS="-XX:SharedArchiveFile=/opt/outrigger/outrigger.jsa" \
    OUTRIGGER_ADMIN=127.0.0.1:9901
USER 65532:65532
EXPOSE 15001 15006 15021
# Docker's own health check: the admin's /ready, asked by `outrigger wait-ready` (no curl needed in the image)
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 \
    CMD ["sh", "-c", "exec java -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xshare:auto -Xmx32m -jar /opt/outrigger/outrigger.jar wait-ready --admin \"$OUTRIGGER_ADMIN\" --timeout 3s"]
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS $JAVA_CDS -jar /opt/outrigger/outrigger.jar \"$@\"", "outrigger"]
CMD ["demo"]

FROM runtime AS prebuilt
COPY proxy/target/outrigger.jar /opt/outrigger/outrigger.jar
# AppCDS (JDK 13+): one training run of the demo to /ready writes the archive of the classes a start loads, so the
# sidecar starts in about half the time (bench/startup.sh). Written as root into the image (read-only at run time).
USER root
RUN sh -c 'java $JAVA_OPTS -XX:ArchiveClassesAtExit=/opt/outrigger/outrigger.jsa -jar /opt/outrigger/outrigger.jar demo \
      >/dev/null 2>&1 & java -Xmx32m -jar /opt/outrigger/outrigger.jar wait-ready --admin 127.0.0.1:9901 --timeout 60s; \
      kill $!; wait $!; ls -l /opt/outrigger/outrigger.jsa || echo "no class-data archive: the JVM starts without one"'
USER 65532:65532

FROM runtime
COPY --from=build /src/proxy/target/outrigger.jar /opt/outrigger/outrigger.jar
# AppCDS (JDK 13+): one training run of the demo to /ready writes the archive of the classes a start loads, so the
# sidecar starts in about half the time (bench/startup.sh). Written as root into the image (read-only at run time).
USER root
RUN sh -c 'java $JAVA_OPTS -XX:ArchiveClassesAtExit=/opt/outrigger/outrigger.jsa -jar /opt/outrigger/outrigger.jar demo \
      >/dev/null 2>&1 & java -Xmx32m -jar /opt/outrigger/outrigger.jar wait-ready --admin 127.0.0.1:9901 --timeout 60s; \
      kill $!; wait $!; ls -l /opt/outrigger/outrigger.jsa || echo "no class-data archive: the JVM starts without one"'
USER 65532:65532

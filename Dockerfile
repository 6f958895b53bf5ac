# Build: docker build -t outrigger .   Run: docker run -v $PWD/examples:/etc/outrigger outrigger run -c /etc/outrigger/outrigger.yaml
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
COPY --from=build /src/proxy/target/outrigger.jar /opt/outrigger/outrigger.jar
# A sidecar's heap stays small: bodies stream through pooled direct buffers, never aggregated.
ENV MALLOC_ARENA_MAX=2 \
    JAVA_OPTS="-XX:+UseSerialGC -Xms16m -Xmx64m -XX:MaxDirectMemorySize=32m -XX:ReservedCodeCacheSize=24m -XX:MaxMetaspaceSize=40m -Xss256k -XX:CICompilerCount=2 -Dio.netty.leakDetection.level=disabled -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1"
USER 65532
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/outrigger/outrigger.jar \"$@\"", "outrigger"]
CMD ["demo"]

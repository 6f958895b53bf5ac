# Build: docker build -t outrigger .   Run: docker run -v $PWD/examples:/etc/outrigger outrigger run -c /etc/outrigger/outrigger.yaml
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
COPY --from=build /src/proxy/target/outrigger.jar /opt/outrigger/outrigger.jar
# A sidecar's heap stays small: bodies stream through pooled direct buffers, never aggregated.
ENV JAVA_OPTS="-XX:+UseSerialGC -Xms32m -Xmx128m -XX:MaxDirectMemorySize=64m"
USER 65532
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/outrigger/outrigger.jar \"$@\"", "outrigger"]
CMD ["demo"]

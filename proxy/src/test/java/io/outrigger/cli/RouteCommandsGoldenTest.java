package io.outrigger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * {@code outrigger route} and {@code outrigger test-routes} on a config with 30 routes (4 virtual hosts, every action
 * and matcher kind), compared with golden output under {@code src/test/resources/golden/}. After an intended change
 * of the output, regenerate with {@code mvn -pl proxy test -Dtest=RouteCommandsGoldenTest -Dgolden.update=true} and
 * review the diff.
 */
class RouteCommandsGoldenTest {
    private static Path golden(String name) throws URISyntaxException {
        return Path.of(RouteCommandsGoldenTest.class.getResource("/golden/" + name).toURI());
    }

    private static String run(CommandLine cmd, int expectedExit, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int exit = cmd.execute(args);
        assertThat(err.toString()).isEmpty();
        assertThat(exit).as(out.toString()).isEqualTo(expectedExit);
        return out.toString();
    }

    private static void compare(String output, String goldenName) throws Exception {
        Path source = Path.of("src/test/resources/golden", goldenName);
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(source, output, StandardCharsets.UTF_8);
        }
        assertThat(output).isEqualTo(Files.readString(source, StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "route-carts.txt      | 0 | POST http://shop.example.com/api/carts/7?x=1 | x-user-id: 42",
            "route-canary.txt     | 0 | GET http://shop.example.com:8080/api/carts/7 | x-canary: 1",
            "route-regex.txt      | 0 | GET http://shop.example.com/users/42/profile  |",
            "route-redirect.txt   | 0 | GET http://shop.example.com/old/a?b=1         |",
            "route-debug-miss.txt | 0 | GET http://shop.example.com/debug/x           | x-env: production",
            "route-split.txt      | 0 | GET http://www.example.com/                   |",
            "route-internal.txt   | 0 | GET http://internal.svc/users/9               |",
            "route-sessions.txt   | 0 | GET http://shop.example.com/api/sessions/s    | cookie: sid=abc; theme=dark",
            "route-fallback.txt   | 0 | GET http://unknown.test/                      |",
    })
    void routeExplainsEachDecision(String goldenName, int exit, String request, String header) throws Exception {
        String config = golden("routes-30.yaml").toString();
        String out = header == null
                ? run(new CommandLine(new RouteCommands.Route()), exit, "-c", config, "-r", request, "--source-ip", "10.0.0.7")
                : run(new CommandLine(new RouteCommands.Route()), exit, "-c", config, "-r", request, "-H", header,
                "--source-ip", "10.0.0.7");
        compare(out, goldenName);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"test-routes.txt | 1"})
    void testRoutesReportsFailuresAndCoverage(String goldenName, int exit) throws Exception {
        String out = run(new CommandLine(new RouteCommands.TestRoutes()), exit, "-c", golden("routes-30.yaml").toString(),
                golden("route-tests.yaml").toString());
        compare(out, goldenName);
    }
}

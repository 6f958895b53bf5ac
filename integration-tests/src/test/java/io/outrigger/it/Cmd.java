package io.outrigger.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an external client ({@code curl}, {@code h2load}) and captures its exit code and output. */
record Cmd(int exit, String out, String err) {

    static Cmd run(String... args) throws IOException, InterruptedException {
        return run(120, args);
    }

    static Cmd run(int timeoutSeconds, String... args) throws IOException, InterruptedException {
        require(args[0]);
        Path out = Files.createTempFile("cmd", ".out");
        Path err = Files.createTempFile("cmd", ".err");
        try {
            Process p = new ProcessBuilder(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", args) + " did not finish in " + timeoutSeconds + "s");
            }
            // lenient decoding: a client may print raw protocol bytes (openssl s_client shows an HTTP/2 SETTINGS frame)
            return new Cmd(p.exitValue(), new String(Files.readAllBytes(out), StandardCharsets.UTF_8),
                    new String(Files.readAllBytes(err), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Fails (never skips) when a client the tests need is not installed; {@code .ci/run} installs them. */
    static void require(String tool) {
        if (tool.indexOf('/') >= 0 && Files.isExecutable(Path.of(tool))) {
            return;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return;
            }
        }
        throw new AssertionError(tool + " is not installed (apt-get install -y curl nghttp2-client; .ci/run does this)");
    }

    static List<String> curl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Cmd curlRun(String... args) throws IOException, InterruptedException {
        return run(curl(args).toArray(new String[0]));
    }
}

package io.outrigger;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code outrigger wait-ready}: blocks until the proxy's admin {@code /ready} answers 200 — for an app container's
 * entrypoint or a {@code postStart} hook, so the app starts only once its sidecar serves. Exit 0 when ready, 1 at the
 * timeout.
 */
@Command(name = "wait-ready", mixinStandardHelpOptions = true,
        description = "Wait until the proxy's /ready answers 200 (exit 0), or the timeout passes (exit 1).")
final class WaitReady implements Callable<Integer> {
    @Option(names = "--admin", defaultValue = "127.0.0.1:9901", description = "the admin address (default: ${DEFAULT-VALUE})")
    String admin;

    @Option(names = "--timeout", defaultValue = "60s", description = "give up after this long, e.g. 60s, 500ms, 2m "
            + "(default: ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--interval", defaultValue = "100ms", description = "time between attempts (default: ${DEFAULT-VALUE})")
    String interval;

    @Override
    public Integer call() throws Exception {
        Duration limit = io.outrigger.config.Units.parseDuration(timeout);
        Duration every = io.outrigger.config.Units.parseDuration(interval);
        if (limit == null || every == null) {
            System.err.println("--timeout and --interval take a duration such as 60s, 500ms or 2m");
            return 2;
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://" + admin + "/ready")).timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + limit.toNanos();
        String last = "no answer";
        while (true) {
            try {
                HttpResponse<String> r = client.send(ready, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    System.out.println("ready: " + admin);
                    return 0;
                }
                last = r.statusCode() + " " + r.body().strip();
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            if (System.nanoTime() + every.toNanos() > deadline) {
                System.err.println("not ready after " + timeout + ": " + admin + "/ready: " + last);
                return 1;
            }
            Thread.sleep(every.toMillis()); // the polling interval
        }
    }
}

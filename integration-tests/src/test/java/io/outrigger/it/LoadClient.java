package io.outrigger.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Steady GET load from a few threads (JDK HttpClient, HTTP/1.1), recording every failure. */
final class LoadClient implements AutoCloseable {
    final AtomicInteger ok = new AtomicInteger();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param clients number of clients, each sending one request after another
     * @param users   x-user-id values are drawn from user-0 .. user-(users-1)
     */
    LoadClient(String baseUrl, int clients, int users) {
        this(baseUrl, clients, users, "/item");
    }

    /** As above, every request to {@code path}. */
    LoadClient(String baseUrl, int clients, int users, String path) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    String user = "user-" + ThreadLocalRandom.current().nextInt(users);
                    try {
                        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                                .header("x-user-id", user).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failures.add(user + ": " + r.statusCode() + " " + r.body().trim());
                        }
                    } catch (Exception e) {
                        failures.add(user + ": " + e);
                    }
                }
            }, "load-" + i);
            t.start();
            threads.add(t);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(15_000);
        }
    }
}

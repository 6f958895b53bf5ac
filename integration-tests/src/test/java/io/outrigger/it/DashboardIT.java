package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The admin dashboard in a real browser: Debian's Chromium, headless, driven by Selenium through Debian's
 * chromedriver, while traffic flows. The screenshot is kept in target/artifacts/dashboard.png.
 */
class DashboardIT {
    static final Path ARTIFACTS = Path.of(System.getProperty("outrigger.artifacts", "target/artifacts"));

    static ChromeDriver chromium(Path profile) {
        Cmd.require("/usr/bin/chromium");
        Cmd.require("/usr/bin/chromedriver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium"); // with both paths given, Selenium Manager downloads nothing
        // Chromium's own background traffic is refused by a closed network; these flags keep it quiet.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,900", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    // Read in one script call: the page rebuilds its tables every second, so a located element can go stale
    // between finding it and reading it. Absent cells read as null.
    private static String text(ChromeDriver page, String key) {
        return (String) page.executeScript("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
                "[data-k='" + key + "']");
    }

    private static double number(ChromeDriver page, String key) {
        return Double.parseDouble(text(page, key).replace(",", ""));
    }

    @Test
    void dashboardShowsLiveNumbersAndHostHealth() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        String dead = "127.0.0.1:" + deadPort;
        Path profile = Files.createTempDirectory("chromium-profile");
        AtomicBoolean failing = new AtomicBoolean(true);
        try (Origin o = new Origin("o");
             ProxyProcess proxy = ProxyProcess.start("dashboard", ProxyProcess.catchAllConfig("{ cluster: shop }",
                     "- { name: shop, lb_policy: ring_hash, endpoints: [ " + o.address() + ", " + dead + " ],"
                             + " health_check: { path: /healthz, interval: 200ms, unhealthy_threshold: 1 } }"))) {
            String app = "http://127.0.0.1:" + proxy.port("main");
            Thread errors = new Thread(() -> { // a trickle of 503s next to the steady load
                HttpClient c = HttpClient.newHttpClient();
                while (failing.get()) {
                    try {
                        c.send(HttpRequest.newBuilder(URI.create(app + "/fail")).header("x-fail-on", "all").build(),
                                HttpResponse.BodyHandlers.discarding());
                        Thread.sleep(20); // the load pattern: about 50 failing requests a second
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            errors.start();
            ChromeDriver page = null;
            try (LoadClient load = new LoadClient(app, 4, 50)) {
                page = chromium(profile);
                page.get("http://" + proxy.admin + "/");
                ChromeDriver p = page;
                TlsIT.waitUntil(() -> text(p, "listener:main:rate") != null && text(p, "cluster:shop:error_rate") != null
                        && number(p, "listener:main:rate") > 0 && number(p, "cluster:shop:error_rate") > 0);
                assertThat(text(page, "listener:main:address")).startsWith("127.0.0.1:");
                double requests = number(page, "listener:main:requests");
                TlsIT.waitUntil(() -> number(p, "listener:main:requests") > requests); // it updates by itself
                assertThat(number(page, "listener:main:p50")).isPositive();
                assertThat(number(page, "listener:main:p99")).isGreaterThanOrEqualTo(number(page, "listener:main:p50"));
                assertThat(number(page, "cluster:shop:p99")).isPositive();
                assertThat(number(page, "listener:main:error_pct")).isBetween(0.1, 99.9);
                assertThat(text(page, "host:shop:" + o.address() + ":health")).isEqualTo("healthy");
                assertThat(text(page, "host:shop:" + dead + ":health")).isEqualTo("/failed_active_hc");
                assertThat(text(page, "cluster:shop:healthy_hosts")).isEqualTo("1 / 2");
                assertThat(number(page, "host:shop:" + o.address() + ":rq_total")).isPositive();
                // the hash panel: the dead host left the ring (all keys on the live one) and the change moved half
                TlsIT.waitUntil(() -> text(p, "hash:shop:last_change") != null
                        && text(p, "hash:shop:last_change").contains(dead + " now unhealthy"));
                assertThat(text(page, "hash:shop:" + o.address() + ":hash_share")).isEqualTo("100.0%");
                assertThat(text(page, "hash:shop:last_change")).containsPattern("2 → 1 hosts; (4\\d|5\\d)\\.\\d% of sampled keys moved");
                assertThat(page.executeScript("return document.getElementById('state').textContent")).isEqualTo("ready");
                assertThat(page.executeScript("return document.getElementById('error').textContent")).isEqualTo("");
                // the browser fetched nothing but the page and its JSON
                Object external = page.executeScript("return performance.getEntriesByType('resource')"
                        + ".filter(e => !e.name.startsWith(location.origin)).length");
                assertThat(((Number) external).intValue()).isZero();

                Files.createDirectories(ARTIFACTS);
                Path shot = page.getScreenshotAs(OutputType.FILE).toPath();
                Files.copy(shot, ARTIFACTS.resolve("dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
                assertThat(Files.size(ARTIFACTS.resolve("dashboard.png"))).isGreaterThan(10_000);
                assertThat(load.failures).isEmpty();
            } finally {
                failing.set(false);
                errors.join(5000);
                if (page != null) {
                    page.quit();
                }
            }
        }
    }
}

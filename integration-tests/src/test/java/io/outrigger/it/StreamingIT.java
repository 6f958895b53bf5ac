package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** 256 MiB bodies stream both ways through a proxy whose heap is capped at 64 MiB. */
class StreamingIT {
    static final long SIZE = 256L << 20;
    static Origin origin;
    static ProxyProcess proxy;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        origin = new Origin("bulk");
        proxy = ProxyProcess.start("streaming", ProxyProcess.catchAllConfig("{ cluster: bulk, timeout: 120s }",
                "- { name: bulk, endpoints: [ " + origin.address() + " ] }"), "-Xmx64m", "-XX:MaxDirectMemorySize=64m");
        base = "http://127.0.0.1:" + proxy.port("main");
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    @Test
    void downloadOverHttp11() throws Exception {
        Cmd r = Cmd.curlRun("--http1.1", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", base + "/bytes/" + SIZE);
        assertThat(r.out()).isEqualTo("200 " + SIZE);
        assertThat(proxy.isAlive()).isTrue();
    }

    @Test
    void downloadOverHttp2() throws Exception {
        Cmd r = Cmd.curlRun("--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                base + "/bytes/" + SIZE);
        assertThat(r.out()).isEqualTo("200 " + SIZE);
    }

    @Test
    void uploadOverHttp11AndHttp2() throws Exception {
        Path file = Files.createDirectories(ProxyProcess.WORK).resolve("upload-256m.bin");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(SIZE);
        }
        try {
            Cmd h1 = Cmd.curlRun("--http1.1", "-T", file.toString(), base + "/upload");
            assertThat(h1.out()).as(h1.err()).isEqualTo("received " + SIZE + "\n");
            Cmd h2 = Cmd.curlRun("--http2-prior-knowledge", "-T", file.toString(), base + "/upload");
            assertThat(h2.out()).as(h2.err()).isEqualTo("received " + SIZE + "\n");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}

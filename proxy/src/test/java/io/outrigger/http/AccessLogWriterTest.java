package io.outrigger.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogWriterTest {
    @Test
    void everyLineOfferedBeforeCloseIsWrittenInOrderAndAppended(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        Files.writeString(file, "earlier\n");
        AccessLogWriter w = AccessLogWriter.file(file);
        List<String> expected = new ArrayList<>(List.of("earlier"));
        int accepted = 0;
        for (int i = 0; i < 40_000; i++) { // more than the queue holds: some may be refused, none reordered
            String line = "line " + i + " \u00e9";
            if (w.offer(line)) {
                expected.add(line);
                accepted++;
            }
        }
        w.close(10_000);
        assertThat(accepted).isGreaterThanOrEqualTo(16_384);
        assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).containsExactlyElementsOf(expected);
        assertThat(w.offer("after close")).isTrue(); // queued, never written
        assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).hasSize(expected.size());
    }

    @Test
    void aDestinationThatCannotBeWrittenRefusesLinesInsteadOfQueueingThem(@TempDir Path dir) throws Exception {
        AccessLogWriter w = AccessLogWriter.file(dir); // a directory: opening it for append fails
        long started = System.nanoTime();
        w.close(10_000); // returns once the writer thread has given up
        assertThat(System.nanoTime() - started).isLessThan(5_000_000_000L);
        assertThat(w.offer("line")).isFalse();
        w.close(10_000); // again: no hang on a stopped writer
    }

    @Test
    void startTimeHasThreeFractionDigitsAndFollowsTheSecond() {
        long t = Instant.parse("2026-11-30T18:45:02Z").toEpochMilli();
        assertThat(StartTime.append(new StringBuilder(), t).toString()).isEqualTo("2026-11-30T18:45:02.000Z");
        assertThat(StartTime.append(new StringBuilder(), t + 7).toString()).isEqualTo("2026-11-30T18:45:02.007Z");
        assertThat(StartTime.append(new StringBuilder(), t + 999).toString()).isEqualTo("2026-11-30T18:45:02.999Z");
        assertThat(StartTime.append(new StringBuilder(), t + 1_042).toString()).isEqualTo("2026-11-30T18:45:03.042Z");
        assertThat(StartTime.append(new StringBuilder(), t - 1).toString()).isEqualTo("2026-11-30T18:45:01.999Z");
        assertThat(StartTime.append(new StringBuilder(), 0).toString()).isEqualTo("1970-01-01T00:00:00.000Z");
    }
}

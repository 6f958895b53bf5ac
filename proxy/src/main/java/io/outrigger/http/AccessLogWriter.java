package io.outrigger.http;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.LoggerFactory;

/**
 * Appends access-log lines to one destination (standard output or a file) from one daemon thread, so that an event
 * loop never waits on the disk or a pipe: {@link #offer} puts a line in a bounded queue (16,384 lines) and refuses it
 * when the queue is full; every 50 ms the thread takes what has queued, writes it through a 64 KiB buffer and flushes
 * (as nginx's {@code access_log ... buffer= flush=}). Waking the writer per line cost more than the line (measured:
 * a thread blocked on the queue took ~10 % of a core at 30,000 lines/s, every line a wake-up and a context switch);
 * this way the cost is a queue insert per line and 20 wake-ups a second, and a line reaches its destination within
 * 50 ms. Past 16,384 lines in 50 ms (~330,000 a second to one destination) lines are dropped and counted.
 * {@link #close} writes what is left.
 */
final class AccessLogWriter {
    private static final int QUEUE_LINES = 16_384;
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final String END = new String("end"); // compared by identity

    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE_LINES);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final String name;
    private final Thread thread;
    private volatile boolean failed; // the destination could not be written: lines are refused, not queued

    private AccessLogWriter(String name, Opener opener) {
        this.name = name;
        this.thread = new Thread(() -> run(opener), "outrigger-access-log");
        thread.setDaemon(true);
        thread.start();
    }

    /** A writer to the process's standard output (file descriptor 1, not closed by {@link #close}). */
    static AccessLogWriter stdout() {
        return new AccessLogWriter("/dev/stdout", () -> new FileOutputStream(FileDescriptor.out) {
            @Override
            public void close() throws IOException {
                flush(); // stdout stays open for whoever else writes to it
            }
        });
    }

    /** A writer appending to {@code path}, created if missing. */
    static AccessLogWriter file(Path path) {
        return new AccessLogWriter(path.toString(), () -> Files.newOutputStream(path, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE));
    }

    /**
     * Queues one line (without its line feed).
     *
     * @return false when the line is dropped: the queue is full, or the destination failed
     */
    boolean offer(String line) {
        return !failed && queue.offer(line);
    }

    /**
     * Writes every line queued so far and stops the thread; lines offered later are not written.
     *
     * @param timeoutMs how long to wait for the writes, ms
     */
    void close(long timeoutMs) throws InterruptedException {
        while (!queue.offer(END)) {
            if (!thread.isAlive()) {
                return; // stopped by a failed write: nothing more will be written
            }
            LockSupport.unpark(thread); // full: let the thread make room
            Thread.onSpinWait();
        }
        LockSupport.unpark(thread);
        finished.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    private void run(Opener opener) {
        try (OutputStream out = new BufferedOutputStream(opener.open(), BUFFER_BYTES)) {
            List<String> batch = new ArrayList<>(1024);
            boolean end = false;
            while (!end) {
                LockSupport.parkNanos(this, INTERVAL_NANOS);
                queue.drainTo(batch);
                for (String line : batch) {
                    if (line == END) {
                        end = true;
                        break;
                    }
                    out.write(line.getBytes(StandardCharsets.UTF_8)); // a copy for the usual all-ASCII line
                    out.write('\n');
                }
                if (!batch.isEmpty()) {
                    batch.clear();
                    out.flush();
                }
            }
        } catch (IOException e) {
            failed = true;
            queue.clear();
            LoggerFactory.getLogger(AccessLog.class).error("access log {} stopped: {}", name, e.toString());
        } finally {
            finished.countDown();
        }
    }

    private interface Opener {
        OutputStream open() throws IOException;
    }
}

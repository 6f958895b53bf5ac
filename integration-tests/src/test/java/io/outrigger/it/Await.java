package io.outrigger.it;

import java.time.Duration;
import java.util.concurrent.Callable;

/** The integration tests' one polling helper: wait for a condition, never for a fixed time. */
final class Await {
    private Await() {
    }

    /**
     * Polls {@code condition} every 20 ms until it holds or {@code timeout} passes.
     *
     * @return whether it held in time
     */
    static boolean until(Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (Boolean.TRUE.equals(condition.call())) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
    }
}

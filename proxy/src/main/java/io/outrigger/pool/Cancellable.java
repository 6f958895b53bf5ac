package io.outrigger.pool;

/** A pending pool request that can be withdrawn (the downstream went away). */
@FunctionalInterface
public interface Cancellable {
    /** Withdraws the request; its callbacks will not be called. Idempotent. */
    void cancel();
}

package io.outrigger.router;

/**
 * Which attempt answered a request that was hedged ({@code hedge_policy: { hedge_on_per_try_timeout: true }}), for
 * the access log's {@code hedge} field.
 */
public enum HedgeOutcome {
    /** An attempt started before the newest one answered (the newer ones were reset). */
    EARLIER_WON("earlier_won"),
    /** The newest attempt, the last hedge, answered (the earlier ones were reset). */
    NEWEST_WON("newest_won"),
    /** No attempt answered: the route timeout, the caller going away, or every attempt failed. */
    NONE_WON("none_won");

    private final String logName;

    HedgeOutcome(String logName) {
        this.logName = logName;
    }

    /** The access log's value, e.g. {@code earlier_won}. */
    public String logName() {
        return logName;
    }
}

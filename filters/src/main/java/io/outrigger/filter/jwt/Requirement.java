package io.outrigger.filter.jwt;

import java.util.List;

/** Envoy's {@code JwtRequirement}: what a request must carry. Immutable. */
sealed interface Requirement {
    /** {@code provider_name}: a token of this provider, valid. */
    record Provider(JwtProvider provider) implements Requirement {
    }

    /** {@code requires_any}: one of them. */
    record Any(List<Requirement> requirements) implements Requirement {
    }

    /** {@code requires_all}: each of them. */
    record All(List<Requirement> requirements) implements Requirement {
    }

    /** {@code allow_missing}: passes without a token; a token that is present must be valid. */
    record AllowMissing() implements Requirement {
    }

    /** {@code allow_missing_or_failed}: always passes; valid tokens are still forwarded as configured. */
    record AllowMissingOrFailed() implements Requirement {
    }
}

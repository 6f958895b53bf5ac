package io.outrigger.filter.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Cache-Control parsing (RFC 9111 §5.2): directives, values, quoting, duplicates and malformed values. */
class CacheControlTest {
    @Test
    void readsEveryDirectiveAcrossFieldLines() {
        CacheControl cc = CacheControl.parse(List.of("public, max-age=60, s-maxage=\"30\"",
                "stale-while-revalidate=5,stale-if-error=600 , must-revalidate"), false);
        assertThat(cc.isPublic()).isTrue();
        assertThat(cc.maxAge()).isEqualTo(60);
        assertThat(cc.sMaxAge()).isEqualTo(30);
        assertThat(cc.staleWhileRevalidate()).isEqualTo(5);
        assertThat(cc.staleIfError()).isEqualTo(600);
        assertThat(cc.mustRevalidate()).isTrue();
        assertThat(cc.noStore()).isFalse();
        assertThat(cc.maxStale()).isEqualTo(-1);
    }

    @Test
    void requestDirectivesAndPragma() {
        CacheControl cc = CacheControl.parse(List.of("max-stale, min-fresh=10, only-if-cached, no-cache"), false);
        assertThat(cc.maxStale()).isEqualTo(Long.MAX_VALUE);
        assertThat(cc.minFresh()).isEqualTo(10);
        assertThat(cc.onlyIfCached()).isTrue();
        assertThat(cc.noCache()).isTrue();
        assertThat(CacheControl.parse(List.of(), true).noCache()).as("Pragma: no-cache without Cache-Control").isTrue();
        assertThat(CacheControl.parse(List.of(), false)).isEqualTo(CacheControl.NONE);
    }

    @Test
    void malformedAndDuplicatedValuesReadTheStrictWay() {
        assertThat(CacheControl.parse(List.of("max-age=abc"), false).maxAge()).as("invalid: stale").isZero();
        assertThat(CacheControl.parse(List.of("max-age=60, max-age=10"), false).maxAge()).isEqualTo(10);
        assertThat(CacheControl.parse(List.of("max-age=99999999999999999999"), false).maxAge())
                .isEqualTo(Integer.MAX_VALUE);
        assertThat(CacheControl.parse(List.of("no-cache=\"set-cookie, x-a\", private=\"x\""), false))
                .satisfies(cc -> {
                    assertThat(cc.noCache()).isTrue();
                    assertThat(cc.isPrivate()).isTrue();
                });
        assertThat(CacheControl.parse(List.of(",,  ,NO-STORE,"), false).noStore()).as("case and empty members").isTrue();
    }
}

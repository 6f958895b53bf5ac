package io.outrigger.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the YAML config loader: whatever the text, the outcome is a validated config or a {@link ConfigException}
 * whose every error is located (file, line and column from 1) — never another exception. Inputs start from the
 * seeds in {@code ConfigLoaderFuzzTestInputs} (real configs), which the fuzzer mutates.
 */
class ConfigLoaderFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void anyTextIsAConfigOrLocatedErrors(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        try {
            OutriggerConfig c = new ConfigLoader(name -> null).load("fuzz.yaml", text);
            assertThat(c.listeners()).isNotEmpty();
        } catch (ConfigException e) {
            assertThat(e.errors()).isNotEmpty().allSatisfy(err -> {
                assertThat(err.toString()).startsWith("fuzz.yaml:");
                assertThat(err.line()).isPositive();
                assertThat(err.column()).isPositive();
            });
        }
    }
}

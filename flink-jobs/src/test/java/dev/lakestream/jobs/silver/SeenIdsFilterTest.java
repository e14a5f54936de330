package dev.lakestream.jobs.silver;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The filter may only err towards "maybe": never "new" for an id the state can still hold. */
class SeenIdsFilterTest {

    private static final Duration TTL = Duration.ofHours(1);
    private static final long T0 = 1_000_000L;

    @Test
    void everyAddedIdIsAMaybeAcrossGenerationsAndFewUnseenIdsAre() {
        SeenIdsFilter filter = new SeenIdsFilter(10_000, TTL, T0);
        for (int i = 0; i < 30_000; i++) {
            filter.add("id-" + i, T0);
        }
        assertThat(filter.generations()).isEqualTo(4);
        for (int i = 0; i < 30_000; i++) {
            assertThat(filter.mightContain("id-" + i, T0)).as("id-%d", i).isTrue();
        }
        int falsePositives = 0;
        for (int i = 30_000; i < 130_000; i++) {
            if (filter.mightContain("id-" + i, T0)) {
                falsePositives++;
            }
        }
        // Three full generations at 1% each, asked one after another: about 3%.
        assertThat(falsePositives).isBetween(1, 5_000);
    }

    @Test
    void aGenerationIsDroppedOnlyOnceItsIdsArePastTheTtl() {
        SeenIdsFilter filter = new SeenIdsFilter(2, TTL, T0);
        filter.add("old-1", T0);
        filter.add("old-2", T0); // full: a second generation starts
        long stillHeld = T0 + TTL.toMillis() + SeenIdsFilter.CLOCK_SLACK_MILLIS;
        filter.add("x-1", stillHeld);
        filter.add("x-2", stillHeld); // full: the first generation is not expired yet
        assertThat(filter.mightContain("old-1", stillHeld)).isTrue();

        long past = stillHeld + 1;
        filter.add("y-1", past);
        filter.add("y-2", past); // full: now the first generation is past its TTL and dropped
        assertThat(filter.generations()).isEqualTo(3);
        assertThat(filter.mightContain("x-1", past)).isTrue();
        assertThat(filter.mightContain("y-2", past)).isTrue();
    }

    @Test
    void runningOutOfGenerationsStopsItAnsweringUntilItsIdsHaveExpired() {
        SeenIdsFilter filter = new SeenIdsFilter(1, TTL, T0);
        boolean saturated = false;
        for (int i = 0; i < SeenIdsFilter.MAX_GENERATIONS; i++) {
            saturated |= filter.add("id-" + i, T0 + i);
        }
        assertThat(saturated).isTrue();
        assertThat(filter.saturations()).isEqualTo(1);
        long lastInsert = T0 + SeenIdsFilter.MAX_GENERATIONS - 1;
        long trustedAgain = lastInsert + TTL.toMillis() + SeenIdsFilter.CLOCK_SLACK_MILLIS;
        assertThat(filter.trusted(trustedAgain - 1)).isFalse();
        assertThat(filter.mightContain("never-added", trustedAgain - 1)).isTrue();
        assertThat(filter.trusted(trustedAgain)).isTrue();
    }

    @Test
    void beforeItIsTrustedEveryIdIsAMaybe() {
        SeenIdsFilter filter = new SeenIdsFilter(100, TTL, T0 + 10);

        assertThat(filter.mightContain("never-added", T0)).isTrue();
        assertThat(filter.mightContain("never-added", T0 + 10)).isFalse();
    }

    @Test
    void aGenerationHoldsAtLeastOneId() {
        assertThatThrownBy(() -> new SeenIdsFilter(0, TTL, T0)).hasMessageContaining("must be positive");
    }
}

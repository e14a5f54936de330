package dev.lakestream.catalog.commits;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SourceRangesTest {

    private static BigInteger n(long v) {
        return BigInteger.valueOf(v);
    }

    @Test
    void overlappingAndAdjacentRangesMergeAndGapsStay() {
        SourceRanges r = SourceRanges.empty()
                .add("t|0", n(10), n(20))
                .add("t|0", n(21), n(30))
                .add("t|0", n(40), n(50))
                .add("t|0", n(45), n(60))
                .add("t|1", n(0), n(0));

        assertThat(r.toJson()).isEqualTo("{\"t|0\":[[\"10\",\"30\"],[\"40\",\"60\"]],\"t|1\":[[\"0\",\"0\"]]}");
        assertThat(r.covers("t|0", n(30))).isTrue();
        assertThat(r.covers("t|0", n(31))).isFalse();
        assertThat(r.covers("t|0", n(39))).isFalse();
        assertThat(r.covers("t|0", n(60))).isTrue();
        assertThat(r.covers("t|2", n(0))).isFalse();

        r.add("t|0", n(31), n(39));
        assertThat(r.ranges("t|0")).hasSize(1);
        assertThat(r.ranges("t|0").get(0)).containsExactly(n(10), n(60));
    }

    @Test
    void kinesisSequenceNumbersBeyondALongAreKeptExactly() {
        BigInteger lo = new BigInteger("49590338271490256608559692538361571095921575989136588898");
        BigInteger hi = lo.add(n(1_000_000));
        SourceRanges r = SourceRanges.fromJson(SourceRanges.empty().add("s|shardId-000000000001", lo, hi).toJson());

        assertThat(r.covers("s|shardId-000000000001", lo.add(n(5)))).isTrue();
        assertThat(r.covers("s|shardId-000000000001", hi.add(BigInteger.ONE))).isFalse();
    }

    @Test
    void jsonRoundTripsAndBadJsonIsNamed() {
        SourceRanges r = SourceRanges.empty().add("orders|3", n(0), n(999)).add("orders|3", n(2000), n(2999));
        assertThat(SourceRanges.fromJson(r.toJson())).isEqualTo(r);

        assertThatThrownBy(() -> SourceRanges.fromJson("[1,2]")).hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> SourceRanges.fromJson("{\"a|0\":[[\"1\"]]}")).hasMessageContaining("must be [lo, hi]");
        assertThatThrownBy(() -> SourceRanges.fromJson("{\"a|0\":[[\"x\",\"2\"]]}")).hasMessageContaining("not two integers");
        assertThatThrownBy(() -> SourceRanges.fromJson("{")).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> SourceRanges.empty().add("a|0", n(5), n(4))).hasMessageContaining("empty");
    }

    @Test
    void minusCutsAndOverlapFinds() {
        SourceRanges branch = SourceRanges.empty().add("t|0", n(0), n(199));
        SourceRanges fork = SourceRanges.empty().add("t|0", n(100), n(149));

        SourceRanges added = branch.minus(fork);
        assertThat(added.toJson()).isEqualTo("{\"t|0\":[[\"0\",\"99\"],[\"150\",\"199\"]]}");

        SourceRanges main = SourceRanges.empty().add("t|0", n(190), n(300)).add("t|1", n(0), n(10));
        assertThat(added.overlapWith(main).toJson()).isEqualTo("{\"t|0\":[[\"190\",\"199\"]]}");
        assertThat(SourceRanges.empty().add("t|0", n(0), n(99)).overlapWith(main).isEmpty()).isTrue();
    }
}

package dev.lakestream.cdc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CommitTimeTest {

    private static final String UPDATE = "{\"before\":{\"order_id\":1,\"note\":{\"ts_ms\":5}},\"after\":{\"order_id\":1,"
            + "\"status\":\"paid\"},\"source\":{\"connector\":\"postgresql\",\"ts_ms\":1763629200123,\"snapshot\":\"false\","
            + "\"lsn\":24023128},\"op\":\"u\",\"ts_ms\":1763629201000}";

    @Test
    void readsTheSourceCommitTimeNotTheConnectorsProcessingTime() {
        assertThat(CommitTime.of(UPDATE)).isEqualTo(1763629200123L);
    }

    @Test
    void fieldsNamedLikeTheCommitTimeInsideRowImagesAreIgnored() {
        String envelope = "{\"after\":{\"ts_ms\":99,\"source\":{\"ts_ms\":98}},\"op\":\"c\","
                + "\"source\":{\"ts_ms\":1000,\"connector\":\"mysql\"}}";
        assertThat(CommitTime.of(envelope)).isEqualTo(1000L);
    }

    @Test
    void readsThroughKafkaConnectsSchemaWrapper() {
        String wrapped = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"ts_ms\"}]},\"payload\":" + UPDATE + "}";
        assertThat(CommitTime.of(wrapped)).isEqualTo(1763629200123L);
    }

    @Test
    void snapshotReadsHaveNoCommitTime() {
        assertThat(CommitTime.of("{\"after\":{\"id\":1},\"source\":{\"ts_ms\":1763629200123},\"op\":\"r\"}")).isZero();
        assertThat(CommitTime.of("{\"after\":{\"id\":1},\"source\":{\"ts_ms\":1763629200123,\"snapshot\":\"last\"},"
                + "\"op\":\"c\"}")).isZero();
        assertThat(CommitTime.of("{\"after\":{\"id\":1},\"source\":{\"ts_ms\":1763629200123,\"snapshot\":\"incremental\"},"
                + "\"op\":\"c\"}")).isEqualTo(1763629200123L);
    }

    @Test
    void whatIsNotAnEnvelopeNeverMovesTheWatermark() {
        assertThat(CommitTime.of(null)).isZero();
        assertThat(CommitTime.of("")).isZero();
        assertThat(CommitTime.of("{\"op\":\"u\",\"source\":{\"ts_ms\":")).isZero();
        assertThat(CommitTime.of("[1,2]")).isZero();
        assertThat(CommitTime.of("{\"op\":\"u\",\"source\":{\"ts_ms\":\"soon\"}}")).isZero();
        assertThat(CommitTime.of("{\"op\":\"u\",\"source\":{\"ts_ms\":-5}}")).isZero();
    }
}

package dev.lakestream.cdc;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DebeziumEnvelopesTest {

    private static final DebeziumEnvelopes PARSER = new DebeziumEnvelopes(Map.of(
            "public.orders", List.of("order_id"),
            "shop.customers", List.of("customer_id")));

    private static final String PG_SOURCE =
            "{\"version\":\"1.9.8.Final\",\"connector\":\"postgresql\",\"name\":\"shop\",\"ts_ms\":1763629200123,"
                    + "\"snapshot\":\"false\",\"db\":\"shop\",\"schema\":\"public\",\"table\":\"orders\",\"txId\":771,"
                    + "\"lsn\":23456789,\"xmin\":null}";

    private static String pg(String op, String before, String after) {
        return "{\"before\":" + before + ",\"after\":" + after + ",\"source\":" + PG_SOURCE + ",\"op\":\"" + op
                + "\",\"ts_ms\":1763629200456}";
    }

    @Test
    void anUpdateCarriesKeyImagesPositionAndCommitTime() {
        DebeziumEnvelopes.Parsed parsed = PARSER.parse(pg("u", "{\"order_id\":7,\"status\":\"placed\"}",
                "{\"order_id\":7,\"status\":\"paid\"}"));

        assertThat(parsed.isChange()).isTrue();
        ChangeEvent change = parsed.change();
        assertThat(change.op()).isEqualTo(ChangeOp.UPDATE);
        assertThat(change.table()).isEqualTo("public.orders");
        assertThat(change.keyJson()).isEqualTo("{\"order_id\":7}");
        assertThat(change.beforeJson()).contains("placed");
        assertThat(change.afterJson()).contains("paid");
        assertThat(change.position()).isEqualTo(SourcePosition.postgres(23456789));
        assertThat(change.sourceTsMillis()).isEqualTo(1763629200123L);
        assertThat(change.snapshot()).isFalse();
    }

    @Test
    void aDeleteWithOnlyTheKeyInItsBeforeImageIsAChange() {
        ChangeEvent change = PARSER.parse(pg("d", "{\"order_id\":7,\"status\":null}", "null")).change();

        assertThat(change.op()).isEqualTo(ChangeOp.DELETE);
        assertThat(change.keyJson()).isEqualTo("{\"order_id\":7}");
        assertThat(change.afterJson()).isNull();
    }

    @Test
    void theEmbeddedSchemaFormIsReadToo() {
        String withSchema = "{\"schema\":{\"type\":\"struct\",\"fields\":[]},\"payload\":"
                + pg("c", "null", "{\"order_id\":8,\"status\":\"placed\"}") + "}";

        assertThat(PARSER.parse(withSchema).change().op()).isEqualTo(ChangeOp.INSERT);
        assertThat(PARSER.parse(withSchema).change().keyJson()).isEqualTo("{\"order_id\":8}");
    }

    @Test
    void snapshotReadsSortBeforeStreamedChanges() {
        String snapshot = pg("r", "null", "{\"order_id\":9}").replace("\"snapshot\":\"false\"", "\"snapshot\":\"true\"");

        ChangeEvent change = PARSER.parse(snapshot).change();

        assertThat(change.op()).isEqualTo(ChangeOp.READ);
        assertThat(change.snapshot()).isTrue();
        assertThat(change.position()).isLessThan(SourcePosition.postgres(1));
    }

    @Test
    void flinkCdcIncrementalSnapshotReadsAreSnapshotReadsToo() {
        // As Flink CDC 3.5 emits them: op r, snapshot "false", lsn 0.
        ChangeEvent change = PARSER.parse(pg("r", "null", "{\"order_id\":9}").replace("\"lsn\":23456789", "\"lsn\":0")).change();

        assertThat(change.snapshot()).isTrue();
        assertThat(change.position().sortable()).isEqualTo("pg:-snapshot");
    }

    @Test
    void tombstonesAreRecognisedNotRejected() {
        assertThat(PARSER.parse(null).isTombstone()).isTrue();
        assertThat(PARSER.parse("null").isTombstone()).isTrue();
        assertThat(PARSER.parse("{\"schema\":null,\"payload\":null}").isTombstone()).isTrue();
    }

    @Test
    void whatCannotBeAppliedIsRejectedWithAReason() {
        assertThat(PARSER.parse("{\"op\":").rejection()).isEqualTo(DebeziumEnvelopes.Rejection.MALFORMED_JSON);
        assertThat(PARSER.parse("[1]").rejection()).isEqualTo(DebeziumEnvelopes.Rejection.NOT_A_DEBEZIUM_ENVELOPE);
        assertThat(PARSER.parse("{\"id\":1}").rejection()).isEqualTo(DebeziumEnvelopes.Rejection.NOT_A_DEBEZIUM_ENVELOPE);
        DebeziumEnvelopes.Parsed truncate = PARSER.parse(pg("t", "null", "null"));
        assertThat(truncate.rejection()).isEqualTo(DebeziumEnvelopes.Rejection.UNKNOWN_OP);
        assertThat(truncate.detail()).contains("op 't'");
        assertThat(PARSER.parse(pg("x", "null", "{\"order_id\":1}")).rejection())
                .isEqualTo(DebeziumEnvelopes.Rejection.UNKNOWN_OP);
        assertThat(PARSER.parse(pg("c", "null", "{\"status\":\"placed\"}")).rejection())
                .isEqualTo(DebeziumEnvelopes.Rejection.MISSING_KEY);
        assertThat(PARSER.parse(pg("c", "null", "{\"order_id\":1}").replace("\"orders\"", "\"refunds\"")).rejection())
                .isEqualTo(DebeziumEnvelopes.Rejection.UNKNOWN_TABLE);
        assertThat(PARSER.parse(pg("u", "null", "{\"order_id\":1}").replace("\"lsn\":23456789", "\"lsn\":null")).rejection())
                .isEqualTo(DebeziumEnvelopes.Rejection.NOT_A_DEBEZIUM_ENVELOPE);
    }

    @Test
    void anEmptyValueIsMalformedNotATombstone() {
        assertThat(PARSER.parse("").rejection()).isEqualTo(DebeziumEnvelopes.Rejection.MALFORMED_JSON);
        assertThat(PARSER.parse("  ").rejection()).isEqualTo(DebeziumEnvelopes.Rejection.MALFORMED_JSON);
    }

    @Test
    void decimalsKeepEveryDigit() {
        ChangeEvent change = PARSER.parse(pg("c", "null", "{\"order_id\":1,\"total\":12345678901234567.89}")).change();

        assertThat(change.afterJson()).contains("12345678901234567.89");
    }

    @Test
    void mysqlPositionsOrderByFilePositionAndRow() {
        String source = "{\"connector\":\"mysql\",\"snapshot\":\"false\",\"db\":\"shop\",\"table\":\"customers\","
                + "\"file\":\"mysql-bin.000003\",\"pos\":1234,\"row\":2,\"ts_ms\":1}";
        String envelope = "{\"before\":null,\"after\":{\"customer_id\":5},\"source\":" + source + ",\"op\":\"c\"}";

        ChangeEvent change = PARSER.parse(envelope).change();

        assertThat(change.table()).isEqualTo("shop.customers");
        assertThat(change.position()).isEqualTo(SourcePosition.mysql(3, 1234, 2));
        assertThat(change.position()).isGreaterThan(SourcePosition.mysql(2, 99_999, 0))
                .isLessThan(SourcePosition.mysql(3, 1234, 3));
    }

    @Test
    void mysqlSnapshotReadsWithoutABinlogPositionAreSnapshotReads() {
        // As Flink CDC 3.5's incremental MySQL snapshot emits a read: not flagged, no file, position 0.
        String source = "{\"version\":\"1.9.8.Final\",\"connector\":\"mysql\",\"name\":\"mysql_binlog_source\","
                + "\"ts_ms\":0,\"snapshot\":\"false\",\"db\":\"shop\",\"sequence\":null,\"table\":\"customers\","
                + "\"server_id\":0,\"gtid\":null,\"file\":\"\",\"pos\":0,\"row\":0,\"thread\":null,\"query\":null}";
        String envelope = "{\"before\":null,\"after\":{\"customer_id\":5},\"source\":" + source
                + ",\"op\":\"r\",\"ts_ms\":1795296022154,\"transaction\":null}";

        ChangeEvent change = PARSER.parse(envelope).change();

        assertThat(change.op()).isEqualTo(ChangeOp.READ);
        assertThat(change.snapshot()).isTrue();
        assertThat(change.position()).isEqualTo(SourcePosition.snapshot(SourcePosition.Kind.MYSQL))
                .isLessThan(SourcePosition.mysql(1, 4, 0));
        // A streamed change without a binlog position stays rejected.
        assertThat(PARSER.parse(envelope.replace("\"op\":\"r\"", "\"op\":\"c\"")).rejection())
                .isEqualTo(DebeziumEnvelopes.Rejection.NOT_A_DEBEZIUM_ENVELOPE);
    }
}

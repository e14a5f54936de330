package dev.lakestream.jobs.gold;

import dev.lakestream.catalog.tables.GoldTables;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableApiUidsTest {

    private static final InternalTypeInfo<RowData> GOLD =
            InternalTypeInfo.of(FlinkSchemaUtil.convert(GoldTables.dailyRevenue("").schema()));

    private static DataStream<OrderFact> events(StreamExecutionEnvironment env, String uid) {
        return env.fromSequence(1, 2).map(i -> new OrderFact()).returns(OrderFact.class).uid(uid);
    }

    /** Operator name (without the planner's node id or source counter) by uid, for the operators of query {@code query}. */
    private static Map<String, String> operatorsOf(StreamExecutionEnvironment env, String query) {
        Map<String, String> byUid = new TreeMap<>();
        for (StreamNode node : env.getStreamGraph(false).getStreamNodes()) {
            if (node.getTransformationUID() != null && node.getTransformationUID().startsWith("gold-sql-" + query + "-")) {
                byUid.put(node.getTransformationUID(), node.getOperatorName().replaceAll("(\\[\\d+\\]|\\$\\d+\\*)+$", ""));
            }
        }
        return byUid;
    }

    @Test
    void aQuerysOperatorsKeepTheirUidsWhenAnotherQueryIsPlannedBeforeIt() {
        StreamExecutionEnvironment alone = StreamExecutionEnvironment.getExecutionEnvironment();
        DailyRevenueJob.windows(StreamTableEnvironment.create(alone), events(alone, "in"), "final_f", true, GOLD);

        StreamExecutionEnvironment after = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamTableEnvironment tables = StreamTableEnvironment.create(after);
        DataStream<OrderFact> in = events(after, "in");
        DailyRevenueJob.windows(tables, events(after, "other"), "provisional_f", false, GOLD);
        DailyRevenueJob.windows(tables, in, "final_f", true, GOLD);

        Map<String, String> uids = operatorsOf(alone, "final_f");
        assertThat(uids).containsEntry("gold-sql-final_f-global-window-aggregate", "GlobalWindowAggregate")
                .containsEntry("gold-sql-final_f-local-window-aggregate", "LocalWindowAggregate");
        assertThat(operatorsOf(after, "final_f")).isEqualTo(uids);
        assertThat(operatorsOf(after, "provisional_f")).hasSameSizeAs(uids);
        // Every operator between the input and the query's stream has one: only the test's sources and
        // the maps after the queries have none.
        assertThat(after.getStreamGraph(false).getStreamNodes()).filteredOn(n -> n.getTransformationUID() == null)
                .extracting(StreamNode::getOperatorName)
                .containsExactlyInAnyOrder("Source: Sequence Source", "Source: Sequence Source", "Provisional daily revenue", "Final daily revenue");
    }

    @Test
    void aQueryReadingAStreamThatIsNotOneOfItsInputsFails() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        tables.createTemporaryView("v", tables.fromDataStream(events(env, "in"), Schema.newBuilder().build()));
        assertThatThrownBy(() -> TableApiUids.assign(tables.toDataStream(tables.sqlQuery("SELECT status FROM v")), "q"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Query q reads");
    }

    @Test
    void kindsDropThePlannersCounters() {
        assertThat(TableApiUids.kind("GlobalWindowAggregate[35]")).isEqualTo("global-window-aggregate");
        assertThat(TableApiUids.kind("*anonymous_datastream_source$3*")).isEqualTo("anonymous-datastream-source");
        assertThat(TableApiUids.kind("TableToDataSteam[7]")).isEqualTo("table-to-data-steam");
    }
}

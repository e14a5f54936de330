package dev.lakestream.jobs.sink;

import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.GoldTables;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The append-only gold guard against a real Iceberg table (Hadoop catalog on local disk): what a
 * replay drops by time, by overlapping span, and what it writes.
 */
class EventTimeReplayGuardTest {

    private static final TableSpec SESSIONS = GoldTables.userSessions("");
    /** Allowed lateness 1 min + session gap 30 min + 1 h, as the pipeline computes it for the ITs' settings. */
    private static final Duration HORIZON = Duration.ofMinutes(91);
    private static final String DAY = "2026-11-20T";

    @TempDir
    Path warehouse;

    private HadoopCatalog catalog;
    private int files;

    @BeforeEach
    void catalog() {
        catalog = new HadoopCatalog(new Configuration(), warehouse.toUri().toString());
    }

    @AfterEach
    void close() throws IOException {
        catalog.close();
    }

    private Table create(TableSpec spec) {
        return catalog.createTable(TableIdentifier.of("gold", spec.identifier().name()), spec.schema(), spec.partitionSpec(),
                spec.properties());
    }

    private static long micros(String time) {
        Instant t = Instant.parse(DAY + time + "Z");
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    private static LocalDateTime local(String time) {
        return LocalDateTime.ofInstant(Instant.parse(DAY + time + "Z"), ZoneOffset.UTC);
    }

    private static Record session(long user, String start, String end) {
        Record r = GenericRecord.create(SESSIONS.schema());
        r.setField(GoldTables.USER_ID, user);
        r.setField(GoldTables.SESSION_START, local(start));
        r.setField(GoldTables.SESSION_END, local(end));
        r.setField(GoldTables.EVENTS, 3L);
        r.setField(GoldTables.PAGE_VIEWS, 2L);
        r.setField(GoldTables.ADDS_TO_CART, 1L);
        r.setField(GoldTables.PURCHASES, 0L);
        r.setField(GoldTables.COMPUTED_AT, local("12:00:00"));
        return r;
    }

    private static RowData sessionRow(long user, String start, String end) {
        return GenericRowData.of(user, TimestampData.fromLocalDateTime(local(start)), TimestampData.fromLocalDateTime(local(end)),
                3L, 2L, 1L, 0L, TimestampData.fromLocalDateTime(local("13:00:00")));
    }

    /** One commit of {@code rows}, one data file per row, stamped as a Flink commit with its watermark. */
    private void commit(Table table, String jobId, long checkpoint, String watermark, List<Record> rows) throws IOException {
        AppendFiles append = table.newAppend();
        PartitionKey partition = new PartitionKey(table.spec(), table.schema());
        InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
        GenericFileWriterFactory writers = new GenericFileWriterFactory.Builder(table).build();
        for (Record row : rows) {
            partition.partition(wrapper.wrap(row));
            DataWriter<Record> writer = writers.newDataWriter(
                    OutputFileFactory.builderFor(table, 1, ++files).build().newOutputFile(table.spec(), partition),
                    table.spec(), partition.copy());
            try (DataWriter<Record> w = writer) {
                w.write(row);
            }
            DataFile file = writer.toDataFile();
            append.appendFile(file);
        }
        append.set(CommitWatermarks.WATERMARK_MS, Long.toString(micros(watermark) / 1000))
                .set(CommitWatermarks.JOB_ID_PROPERTY, jobId)
                .set(CommitWatermarks.CHECKPOINT_ID_PROPERTY, Long.toString(checkpoint))
                .commit();
    }

    private static EventTimeReplayGuard guard(Table table, TableSpec spec) {
        return new EventTimeReplayGuard(TableLoader.fromHadoopTable(table.location(), new Configuration()), "main",
                spec.schema().columns(), List.of(spec.properties().get(GoldTables.REPLAY_KEY).split(",")),
                spec.properties().get(GoldTables.REPLAY_START), spec.properties().get(GoldTables.REPLAY_TIME), HORIZON);
    }

    private static List<String> written(OneInputStreamOperatorTestHarness<RowData, RowData> harness) {
        List<String> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            @SuppressWarnings("unchecked")
            RowData row = ((StreamRecord<RowData>) o).getValue();
            out.add(row.getLong(0) + "@" + row.getTimestamp(1, 6).toLocalDateTime().toLocalTime() + "-"
                    + row.getTimestamp(2, 6).toLocalDateTime().toLocalTime());
        }
        return out;
    }

    /**
     * The run committed watermark 11:58, so rows ending by 10:27 (minus the 91-minute horizon) are
     * dropped by time. A late event the first run dropped can extend a session in the replay: it
     * then ends after 10:27 although the row the table holds for its user and start ends before.
     * ReplaySafetyITCase once saw such a session twice when the guard looked up only the stored
     * rows ending after 10:27.
     */
    @Test
    void aReplayedSessionIsSkippedWhenItsUserAndStartAreStoredWhereverTheStoredOneEnds() throws Exception {
        Table table = create(SESSIONS);
        commit(table, "first-run", 5, "11:58:00", List.of(
                session(2041, "09:49:41.200", "10:19:41.200"),
                session(5, "10:00:00", "10:40:00")));

        try (OneInputStreamOperatorTestHarness<RowData, RowData> harness = new OneInputStreamOperatorTestHarness<>(
                guard(table, SESSIONS))) {
            harness.open();
            harness.processElement(sessionRow(9, "09:00:00", "10:20:00"), 0);
            harness.processElement(sessionRow(2041, "09:49:41.200", "10:35:00"), 0);
            harness.processElement(sessionRow(2041, "10:50:00", "11:40:00"), 0);
            harness.processElement(sessionRow(5, "10:00:00", "10:45:00"), 0);
            harness.processElement(sessionRow(5, "10:40:00", "11:50:00"), 0);
            harness.processElement(sessionRow(7, "09:00:00", "10:40:00"), 0);

            assertThat(written(harness)).as("9 ends before the horizon; 2041 at 09:49:41.2 and 5 at 10:00 are stored")
                    .containsExactly("2041@10:50-11:40", "5@10:40-11:50", "7@09:00-10:40");
        }
    }

    @Test
    void aFeatureLogRowIsSkippedOnlyAtTheSameEntityAndTime() throws Exception {
        TableSpec log = GoldTables.featureLog("", "customer_features", Types.NestedField.required(1, "customer_id",
                Types.LongType.get(), "Customer"), List.of(Types.NestedField.optional(4, "orders_7d", Types.LongType.get(), "Orders")));
        Table table = create(log);
        Record stored = GenericRecord.create(log.schema());
        stored.setField("customer_id", 1L);
        stored.setField(GoldTables.FEATURE_TS, local("11:00:00"));
        stored.setField(GoldTables.COMPUTED_AT, local("12:00:00"));
        stored.setField("orders_7d", 4L);
        commit(table, "first-run", 3, "11:58:00", List.of(stored));

        try (OneInputStreamOperatorTestHarness<RowData, RowData> harness = new OneInputStreamOperatorTestHarness<>(guard(table, log))) {
            harness.open();
            for (String ts : List.of("10:00:00", "11:00:00", "11:00:00.001", "11:59:00")) {
                TimestampData t = TimestampData.fromLocalDateTime(local(ts));
                harness.processElement(GenericRowData.of(1L, t, t, 4L), 0);
            }
            harness.processElement(GenericRowData.of(2L, TimestampData.fromLocalDateTime(local("11:00:00")),
                    TimestampData.fromLocalDateTime(local("11:00:00")), 1L), 0);

            assertThat(written(harness)).as("10:00 is before the horizon; 11:00 is stored for customer 1")
                    .containsExactly("1@11:00:00.001-11:00:00.001", "1@11:59-11:59", "2@11:00-11:00");
        }
    }

    @Test
    void aRunRestoredFromTheCheckpointOfTheNewestCommitWritesEverything() throws Exception {
        Table table = create(SESSIONS);
        OperatorSubtaskState state;
        String jobId;
        try (OneInputStreamOperatorTestHarness<RowData, RowData> first = new OneInputStreamOperatorTestHarness<>(guard(table, SESSIONS))) {
            first.open();
            state = first.snapshot(8, 1);
            jobId = first.getEnvironment().getJobID().toString();
        }
        commit(table, jobId, 8, "11:58:00", List.of(session(2041, "09:49:41.200", "10:19:41.200")));

        try (OneInputStreamOperatorTestHarness<RowData, RowData> resumed = new OneInputStreamOperatorTestHarness<>(
                guard(table, SESSIONS))) {
            resumed.initializeState(state);
            resumed.open();
            resumed.processElement(sessionRow(3, "08:00:00", "08:30:00"), 0);
            assertThat(written(resumed)).as("an upgrade may write rows for past times").containsExactly("3@08:00-08:30");
        }
    }
}

package dev.lakestream.jobs.silver;

import dev.lakestream.jobs.bronze.BronzeSource;
import dev.lakestream.jobs.sink.TableSink;

import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;

/**
 * Bronze rows of one source to a silver dataset: validate and normalize ({@link ValidateEvents}),
 * send rejects to the quarantine table, deduplicate by event id ({@link DeduplicateEvents}) and
 * append to the silver table. For every input:
 *
 * <pre>bronze rows = silver rows + quarantined rows + duplicates dropped</pre>
 *
 * <p>Operator uids ({@code silver-validate-<dataset>}, {@code silver-dedup-<dataset>}) address the
 * deduplication state in savepoints: never change them on a running deployment.
 */
public final class SilverJob {

    private SilverJob() {}

    public static String validateUid(SilverDataset dataset) {
        return "silver-validate-" + dataset.name();
    }

    public static String dedupUid(SilverDataset dataset) {
        return "silver-dedup-" + dataset.name();
    }

    /** @return the silver rows (validated, deduplicated), for gold */
    public static DataStream<RowData> addTo(
            DataStream<RowData> bronzeRows,
            BronzeSource.RawRecords rawRecords,
            SilverDataset dataset,
            SilverSettings settings,
            TableSink sink) {
        InternalTypeInfo<RowData> silverType = InternalTypeInfo.of(dataset.silverRowType());
        SingleOutputStreamOperator<RowData> valid =
                bronzeRows
                        .process(new ValidateEvents(rawRecords, new EventValidator(dataset.schema(), settings.maxPayloadBytes())))
                        .returns(silverType)
                        .uid(validateUid(dataset))
                        .name("Validate " + dataset.name());
        sink.write(dataset.quarantineTable(), valid.getSideOutput(ValidateEvents.QUARANTINE));
        DataStream<RowData> unique =
                valid.keyBy(new EventIdSelector())
                        .transform("Deduplicate " + dataset.name(), silverType,
                                new DeduplicateEvents(settings.dedupTtl(), settings.dedupPendingIds()))
                        .uid(dedupUid(dataset));
        sink.write(dataset.silverTable(), unique);
        return unique;
    }

    /** The business key, the first column of every silver row. */
    static final class EventIdSelector implements KeySelector<RowData, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(RowData row) {
            return row.getString(0).toString();
        }
    }
}

package dev.lakestream.jobs.silver;

import dev.lakestream.jobs.bronze.BronzeSource;
import dev.lakestream.jobs.bronze.RawRecord;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.EnumMap;
import java.util.Map;

/**
 * Reads bronze rows of one source as raw records and validates them against a dataset's schema:
 * valid records leave as silver rows, rejected ones as quarantine rows on {@link #QUARANTINE}.
 * Every input leaves exactly once, on one of the two.
 *
 * <p>Metrics: {@code silverRecordsIn}, {@code silverRecordsValid}, {@code silverRecordsQuarantined}
 * and, per reason, {@code silverRecordsQuarantined} under the group {@code reason=<REASON>}.
 * {@code silverRecordsIn = silverRecordsValid + silverRecordsQuarantined} at all times.
 */
public final class ValidateEvents extends ProcessFunction<RowData, RowData> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<RowData> QUARANTINE =
            new OutputTag<>("quarantine", InternalTypeInfo.of(SilverDataset.quarantineRowType()));

    public static final String METRIC_IN = "silverRecordsIn";
    public static final String METRIC_VALID = "silverRecordsValid";
    public static final String METRIC_QUARANTINED = "silverRecordsQuarantined";
    public static final String METRIC_REASON_GROUP = "reason";

    private final BronzeSource.RawRecords rawRecords;
    private final EventValidator validator;

    private transient Counter in;
    private transient Counter valid;
    private transient Counter quarantined;
    private transient Map<QuarantineReason, Counter> byReason;

    public ValidateEvents(BronzeSource.RawRecords rawRecords, EventValidator validator) {
        this.rawRecords = rawRecords;
        this.validator = validator;
    }

    @Override
    public void open(Configuration parameters) {
        MetricGroup group = getRuntimeContext().getMetricGroup();
        in = group.counter(METRIC_IN);
        valid = group.counter(METRIC_VALID);
        quarantined = group.counter(METRIC_QUARANTINED);
        byReason = new EnumMap<>(QuarantineReason.class);
        for (QuarantineReason reason : QuarantineReason.values()) {
            byReason.put(reason, group.addGroup(METRIC_REASON_GROUP, reason.name()).counter(METRIC_QUARANTINED));
        }
    }

    @Override
    public void processElement(RowData bronzeRow, Context ctx, Collector<RowData> out) throws Exception {
        RawRecord record = rawRecords.map(bronzeRow);
        in.inc();
        EventValidator.Outcome outcome = validator.validate(record);
        if (outcome.isValid()) {
            valid.inc();
            out.collect(outcome.row());
        } else {
            Rejection rejection = outcome.rejection();
            quarantined.inc();
            byReason.get(rejection.reason()).inc();
            ctx.output(QUARANTINE, quarantineRow(record, rejection, System.currentTimeMillis()));
        }
    }

    /** The quarantine row of a rejected record, laid out as {@code QuarantineTable.schema()}. */
    static RowData quarantineRow(RawRecord record, Rejection rejection, long nowMillis) {
        return QuarantineRows.of(record.source(), record.partition(), record.position(), record.payload(),
                rejection.reason().name(), rejection.field(), rejection.rule(), rejection.eventId(),
                record.ingestMillis(), nowMillis);
    }
}

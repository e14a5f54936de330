package dev.lakestream.jobs.cdc;

import dev.lakestream.cdc.ChangeEvent;
import dev.lakestream.cdc.DebeziumEnvelopes;
import dev.lakestream.jobs.silver.QuarantineRows;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;

/**
 * Debezium envelopes to change events. Tombstones are counted and skipped (the delete before them
 * was applied); envelopes that cannot be applied (malformed, unknown op or table, no key) leave on
 * {@link #QUARANTINE} with the reason. Metrics: {@code cdcEnvelopesIn}, {@code cdcChanges},
 * {@code cdcTombstones}, {@code cdcEnvelopesQuarantined} (also per {@code reason}).
 */
public final class ParseChanges extends ProcessFunction<String, ChangeEvent> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<RowData> QUARANTINE =
            new OutputTag<>("cdc-quarantine", InternalTypeInfo.of(dev.lakestream.jobs.silver.SilverDataset.quarantineRowType()));

    private final DebeziumEnvelopes envelopes;
    private final String sourceName;

    private transient Counter in;
    private transient Counter changes;
    private transient Counter tombstones;
    private transient Counter quarantined;
    private transient Map<DebeziumEnvelopes.Rejection, Counter> byReason;

    public ParseChanges(DebeziumEnvelopes envelopes, String sourceName) {
        this.envelopes = envelopes;
        this.sourceName = sourceName;
    }

    /** The type of the change stream: its own serializer, not Kryo ({@link ChangeEventSerializer}). */
    public static TypeInformation<ChangeEvent> type() {
        return ChangeEventSerializer.typeInfo();
    }

    @Override
    public void open(Configuration parameters) {
        MetricGroup group = getRuntimeContext().getMetricGroup();
        in = group.counter("cdcEnvelopesIn");
        changes = group.counter("cdcChanges");
        tombstones = group.counter("cdcTombstones");
        quarantined = group.counter("cdcEnvelopesQuarantined");
        byReason = new EnumMap<>(DebeziumEnvelopes.Rejection.class);
        for (DebeziumEnvelopes.Rejection r : DebeziumEnvelopes.Rejection.values()) {
            byReason.put(r, group.addGroup("reason", r.name()).counter("cdcEnvelopesQuarantined"));
        }
    }

    @Override
    public void processElement(String envelope, Context ctx, Collector<ChangeEvent> out) {
        in.inc();
        DebeziumEnvelopes.Parsed parsed = envelopes.parse(envelope);
        if (parsed.isChange()) {
            changes.inc();
            out.collect(parsed.change());
        } else if (parsed.isTombstone()) {
            tombstones.inc();
        } else {
            quarantined.inc();
            byReason.get(parsed.rejection()).inc();
            long now = System.currentTimeMillis();
            ctx.output(QUARANTINE, QuarantineRows.of(sourceName, "", "",
                    envelope == null ? null : envelope.getBytes(StandardCharsets.UTF_8), parsed.rejection().name(),
                    null, parsed.detail(), null, now, now));
        }
    }
}

package dev.lakestream.jobs.silver.datasets;

import dev.lakestream.jobs.silver.schema.EventSchema;
import dev.lakestream.jobs.silver.schema.FieldSpec;

import java.util.List;

/**
 * Declared schema of fulfillment-center events: one JSON object per handling step, e.g.
 *
 * <pre>{"event_id":"f-9","facility_id":"fc-017","event_type":"picked","units":3,
 *  "event_ts":"2026-11-20T09:00:01Z"}</pre>
 */
public final class FulfillmentEvents {

    /** Largest unit count one event may carry; larger values are data-entry or sensor errors. */
    public static final int MAX_UNITS = 100_000;

    public static final EventSchema SCHEMA =
            new EventSchema(
                    "fulfillment_events",
                    "event_ts",
                    List.of(
                            FieldSpec.string("event_id").required().maxLength(128)
                                    .doc("Business key; producer retries repeat it, silver keeps the first"),
                            FieldSpec.code("facility_id").required().maxLength(64).doc("Fulfillment center (upper-cased)"),
                            FieldSpec.code("event_type").required()
                                    .allowed("RECEIVED", "PICKED", "PACKED", "SHIPPED", "DAMAGED")
                                    .doc("RECEIVED, PICKED, PACKED, SHIPPED or DAMAGED (upper-cased)"),
                            FieldSpec.intField("units").required().range(0, MAX_UNITS)
                                    .doc("Units handled, a whole number in [0, 100000]"),
                            FieldSpec.timestamp("event_ts").required().doc("When the step happened, UTC")));

    private FulfillmentEvents() {}
}

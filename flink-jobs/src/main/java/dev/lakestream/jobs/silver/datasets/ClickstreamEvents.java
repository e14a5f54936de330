package dev.lakestream.jobs.silver.datasets;

import dev.lakestream.jobs.silver.schema.EventSchema;
import dev.lakestream.jobs.silver.schema.FieldSpec;

import java.util.List;

/**
 * Declared schema of the web clickstream: one JSON object per page interaction, e.g.
 *
 * <pre>{"event_id":"c-17","user_id":42,"session_hint":"s-42-981","page":"/cart",
 *  "event_type":"add_to_cart","event_ts":"2026-11-20T09:00:01Z","user_agent":"okhttp/4.12"}</pre>
 */
public final class ClickstreamEvents {

    public static final EventSchema SCHEMA =
            new EventSchema(
                    "clickstream_events",
                    "event_ts",
                    List.of(
                            FieldSpec.string("event_id").required().maxLength(128)
                                    .doc("Business key; client retries repeat it, silver keeps the first"),
                            FieldSpec.longField("user_id").required().range(1, Long.MAX_VALUE).doc("Customer id"),
                            FieldSpec.string("session_hint").maxLength(256).doc("Client-side session identifier, if sent"),
                            FieldSpec.string("page").required().maxLength(2048).doc("Page path"),
                            FieldSpec.code("event_type").required()
                                    .allowed("VIEW", "ADD_TO_CART", "CHECKOUT", "PURCHASE")
                                    .doc("VIEW, ADD_TO_CART, CHECKOUT or PURCHASE (upper-cased)"),
                            FieldSpec.timestamp("event_ts").required().doc("When the interaction happened, UTC"),
                            FieldSpec.string("user_agent").maxLength(1024).doc("Browser or app user agent")));

    private ClickstreamEvents() {}
}

/**
 * Debezium CDC into one normalized change model (PostgreSQL/MySQL through Flink CDC, and Debezium
 * JSON envelopes on Kafka). Not written yet: the module exists so the build layout is final; the
 * CDC work fills it.
 */
package dev.lakestream.cdc;

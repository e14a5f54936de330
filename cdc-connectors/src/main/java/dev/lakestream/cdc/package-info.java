/**
 * Debezium CDC into one normalized change model ({@link dev.lakestream.cdc.ChangeEvent}): Flink
 * CDC's PostgreSQL source ({@code postgres/}) and Debezium JSON envelopes as Kafka Connect or
 * Debezium Server write them ({@link dev.lakestream.cdc.DebeziumEnvelopes}).
 */
package dev.lakestream.cdc;

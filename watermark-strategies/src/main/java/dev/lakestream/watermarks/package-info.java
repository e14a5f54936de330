/**
 * Watermark strategies, one per source kind (Kafka partitions and Kinesis shards with idleness,
 * CDC commit time with heartbeats). Not written yet: bronze partitions by ingest time and needs no
 * event time. The strategies arrive with the event-time and gold windows work.
 */
package dev.lakestream.watermarks;

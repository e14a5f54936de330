/**
 * Watermark strategies, one per source kind, and the options they are built from ({@link
 * dev.lakestream.watermarks.WatermarkOptions}):
 *
 * <ul>
 *   <li>{@link dev.lakestream.watermarks.EventStreamWatermarks}: Kafka partitions and Kinesis
 *       shards, bounded out-of-orderness with idleness;
 *   <li>{@link dev.lakestream.watermarks.CdcWatermarks}: change streams, commit time with
 *       wall-clock heartbeats on quiet tables;
 *   <li>{@link dev.lakestream.watermarks.WatermarkAlignment}: alignment groups, and which of our
 *       sources can be aligned on Flink 1.20.
 * </ul>
 *
 * <p>Give a strategy to {@code env.fromSource}, so that the source keeps one watermark per split.
 */
package dev.lakestream.watermarks;

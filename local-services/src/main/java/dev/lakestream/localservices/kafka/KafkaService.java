package dev.lakestream.localservices.kafka;

import dev.lakestream.localservices.support.ManagedService;

/** A running Kafka cluster. Internal: not part of the API. */
public interface KafkaService extends ManagedService {
  String bootstrapServers();
}

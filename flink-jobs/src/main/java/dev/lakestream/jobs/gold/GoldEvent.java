package dev.lakestream.jobs.gold;

/** What gold needs of any silver event besides its values: id, event time and where it came from. */
public interface GoldEvent {

    String eventId();

    long eventTsMillis();

    String sourceName();

    String sourcePartition();

    String sourcePosition();
}

package dev.lakestream.jobs.gold;

/**
 * What gold needs of any silver event besides its values: id, event time and where it came from.
 * Subclasses are serialized by a {@link GoldEventSerializer}, which writes these fields first.
 */
public abstract class GoldEvent {

    public String eventId;
    public long eventTsMillis;
    public String sourceName;
    public String sourcePartition;
    public String sourcePosition;

    public String eventId() {
        return eventId;
    }

    public long eventTsMillis() {
        return eventTsMillis;
    }

    public String sourceName() {
        return sourceName;
    }

    public String sourcePartition() {
        return sourcePartition;
    }

    public String sourcePosition() {
        return sourcePosition;
    }
}

package dev.lakestream.jobs.sink;

import dev.lakestream.catalog.commits.SourceRanges;
import dev.lakestream.catalog.spec.TableSpec;

import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

import java.io.Serializable;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * Where a table's rows say which source record they came from: the source name, its partition
 * (Kafka partition, Kinesis shard) and the record's position in it (offset, sequence number).
 * Tables that carry these columns are replay-safe ({@link ReplayGuard}); tables without them
 * (gold aggregates, CDC tables keyed by their own log positions) are not guarded.
 *
 * <p>Found by column names, the same in every table spec that has them: bronze Kafka ({@code
 * topic}, {@code kafka_partition}, {@code kafka_offset}), bronze Kinesis ({@code stream}, {@code
 * shard_id}, {@code sequence_number}), and silver, quarantine and late events ({@code
 * source_name}, {@code source_partition}, {@code source_position}).
 */
public final class ReplayKey implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final List<String[]> LAYOUTS = List.of(
            new String[] {"topic", "kafka_partition", "kafka_offset"},
            new String[] {"stream", "shard_id", "sequence_number"},
            new String[] {"source_name", "source_partition", "source_position"});

    private final int source;
    private final int partition;
    private final boolean partitionIsInt;
    private final int position;
    private final boolean positionIsLong;

    private ReplayKey(int source, int partition, boolean partitionIsInt, int position, boolean positionIsLong) {
        this.source = source;
        this.partition = partition;
        this.partitionIsInt = partitionIsInt;
        this.position = position;
        this.positionIsLong = positionIsLong;
    }

    /** The coordinate columns of {@code table}'s rows, if it has them. */
    public static Optional<ReplayKey> of(TableSpec table) {
        List<Types.NestedField> columns = table.schema().columns();
        for (String[] layout : LAYOUTS) {
            int s = index(columns, layout[0]);
            int p = index(columns, layout[1]);
            int o = index(columns, layout[2]);
            if (s >= 0 && p >= 0 && o >= 0) {
                return Optional.of(new ReplayKey(s, p, columns.get(p).type().typeId() == Type.TypeID.INTEGER,
                        o, columns.get(o).type().typeId() == Type.TypeID.LONG));
            }
        }
        return Optional.empty();
    }

    /** {@code source|partition} of a row ({@link SourceRanges#partitionKey}), or null when a column is null. */
    String partitionKey(RowData row) {
        if (row.isNullAt(source) || row.isNullAt(partition)) {
            return null;
        }
        String p = partitionIsInt ? Integer.toString(row.getInt(partition)) : row.getString(partition).toString();
        return SourceRanges.partitionKey(row.getString(source).toString(), p);
    }

    /**
     * The row's position, or null when it has none or it is not a decimal integer (positions of
     * other kinds, e.g. CDC log positions in late events, are not guarded).
     */
    BigInteger position(RowData row) {
        if (row.isNullAt(position)) {
            return null;
        }
        if (positionIsLong) {
            return BigInteger.valueOf(row.getLong(position));
        }
        String text = row.getString(position).toString();
        if (text.isEmpty() || text.length() > 128) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isDigit(text.charAt(i))) {
                return null;
            }
        }
        return new BigInteger(text);
    }

    /**
     * Whether partitions are ints and positions longs (Kafka: {@code kafka_partition}, {@code
     * kafka_offset}): {@link ReplayGuard} then tracks them without building a key string or a
     * BigInteger per record.
     */
    boolean intPartitionsAndLongPositions() {
        return partitionIsInt && positionIsLong;
    }

    /**
     * Whether partitions and positions are text (silver, quarantine and late events): {@link
     * ReplayGuard} then tracks positions that are short decimal numbers as longs ({@link
     * #shortDecimalPosition}).
     */
    boolean textPartitionsAndPositions() {
        return !partitionIsInt && !positionIsLong;
    }

    /** The partition; only when {@link #textPartitionsAndPositions()}. */
    StringData textPartition(RowData row) {
        return row.getString(partition);
    }

    /**
     * The position when it is 1 to 18 ASCII digits (so it fits a long), read from the row's bytes;
     * else -1, and {@link #position} decides. Only when {@link #textPartitionsAndPositions()} and the
     * row {@link #hasCoordinates}.
     */
    long shortDecimalPosition(RowData row) {
        StringData text = row.getString(position);
        if (!(text instanceof BinaryStringData)) {
            return -1;
        }
        BinaryStringData bytes = (BinaryStringData) text;
        int length = bytes.getSizeInBytes();
        if (length == 0 || length > 18) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < length; i++) {
            int digit = bytes.byteAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /** Whether the row has a source, a partition and a position (else it is not guarded). */
    boolean hasCoordinates(RowData row) {
        return !row.isNullAt(source) && !row.isNullAt(partition) && !row.isNullAt(position);
    }

    /** The source name, as the row holds it (no String made). */
    StringData source(RowData row) {
        return row.getString(source);
    }

    /** The partition; only when {@link #intPartitionsAndLongPositions()}. */
    int intPartition(RowData row) {
        return row.getInt(partition);
    }

    /** The position; only when {@link #intPartitionsAndLongPositions()}. */
    long longPosition(RowData row) {
        return row.getLong(position);
    }

    private static int index(List<Types.NestedField> columns, String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }
}

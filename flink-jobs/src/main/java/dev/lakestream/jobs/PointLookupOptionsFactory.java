package dev.lakestream.jobs;

import org.apache.flink.contrib.streaming.state.RocksDBOptionsFactory;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.DataBlockIndexType;
import org.rocksdb.TableFormatConfig;

import java.util.Collection;

/**
 * RocksDB column family options for the point lookups our keyed state does on every record:
 * deduplication gets an event id that is nearly always new, and the gold operators get one entry
 * per entity. Installed by {@link PipelineEnvironment} as {@code state.backend.rocksdb.options-factory}.
 *
 * <ul>
 *   <li>A whole-key bloom filter in each memtable. Without it a get for a key not there walks the
 *       skip list of every memtable (the active one and those waiting to be flushed): the larger
 *       part of deduplication's cost. RocksJava 6.20 has no setter for {@code
 *       memtable_whole_key_filtering}; {@code optimizeForPointLookup} sets it (and the bloom's
 *       size, 2% of the write buffer) natively, but also replaces the table factory, so Flink's
 *       table settings (its SST bloom filters, block size, the managed-memory block cache it sets
 *       after this factory) are put back right after.
 *   <li>A hash index inside each SST data block, so a get of a key that is there (a feature
 *       entity, a session) finds it in the block without a binary search.
 * </ul>
 *
 * <p>Neither changes what is stored: savepoints and checkpoints taken with or without it restore
 * into each other.
 */
public final class PointLookupOptionsFactory implements RocksDBOptionsFactory {

    private static final long serialVersionUID = 1L;

    /** What {@code optimizeForPointLookup} sizes its own block cache with; that cache is dropped at once. */
    private static final long THROWAWAY_BLOCK_CACHE_MB = 1;

    @Override
    public DBOptions createDBOptions(DBOptions currentOptions, Collection<AutoCloseable> handlesToClose) {
        return currentOptions;
    }

    @Override
    public ColumnFamilyOptions createColumnOptions(
            ColumnFamilyOptions currentOptions, Collection<AutoCloseable> handlesToClose) {
        // The Java side keeps the table settings Flink made; the native call below does not touch them.
        TableFormatConfig flinkTable = currentOptions.tableFormatConfig();
        currentOptions.optimizeForPointLookup(THROWAWAY_BLOCK_CACHE_MB);
        BlockBasedTableConfig table =
                flinkTable instanceof BlockBasedTableConfig ? (BlockBasedTableConfig) flinkTable : new BlockBasedTableConfig();
        table.setDataBlockIndexType(DataBlockIndexType.kDataBlockBinaryAndHash);
        return currentOptions.setTableFormatConfig(table);
    }
}

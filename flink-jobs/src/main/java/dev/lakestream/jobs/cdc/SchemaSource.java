package dev.lakestream.jobs.cdc;

import dev.lakestream.cdc.CdcTableSchema;

import java.io.Serializable;

/**
 * Where a captured table's current columns can be read again while the job runs, so that a
 * column added upstream reaches silver without a restart.
 */
@FunctionalInterface
public interface SchemaSource extends Serializable {

    /** The table's schema as the source declares it now; null when it cannot tell. */
    CdcTableSchema current(String table) throws Exception;

    /** For captures whose columns are declared in configuration: nothing to re-read. */
    static SchemaSource none() {
        return table -> null;
    }
}

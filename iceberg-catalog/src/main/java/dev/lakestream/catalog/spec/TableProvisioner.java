package dev.lakestream.catalog.spec;

import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateProperties;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Creates tables from their {@link TableSpec}s before a job starts, and evolves existing tables
 * additively: a declared column that is missing is added as optional, a declared property that
 * differs is set. A declared column whose type differs from the table's stops provisioning, since
 * rewriting a column's type under running readers is never safe to do implicitly.
 *
 * <p>Safe to run concurrently from several jobs: a lost creation race re-reads the winner's table.
 */
public final class TableProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TableProvisioner.class);

    private final Catalog catalog;

    public TableProvisioner(Catalog catalog) {
        this.catalog = catalog;
    }

    /** Makes every spec's table exist and match its declaration. */
    public void ensureAll(List<TableSpec> specs) {
        specs.forEach(this::ensure);
    }

    /** Makes the spec's table exist and match its declaration, and returns it. */
    public Table ensure(TableSpec spec) {
        ensureNamespace(spec.identifier().namespace());
        if (!catalog.tableExists(spec.identifier())) {
            try {
                Table table =
                        catalog.buildTable(spec.identifier(), spec.schema())
                                .withPartitionSpec(spec.partitionSpec())
                                .withSortOrder(spec.sortOrder())
                                .withProperties(spec.properties())
                                .create();
                LOG.info("Created table {} partitioned by {}", spec.identifier(), spec.partitionSpec().fields());
                return withMainBranch(table, spec);
            } catch (AlreadyExistsException e) {
                LOG.info("Table {} was created concurrently; verifying it against its spec", spec.identifier());
            }
        }
        return withMainBranch(evolve(catalog.loadTable(spec.identifier()), spec), spec);
    }

    /**
     * Keyed tables (those with identifier fields) get their main branch before any writer runs:
     * Iceberg 1.11's dynamic sink creates it on first write from every writer at once, and all but
     * one fail with "Ref main already exists" (restarting the job).
     */
    private static Table withMainBranch(Table table, TableSpec spec) {
        if (!spec.schema().identifierFieldIds().isEmpty() && table.refs().get(SnapshotRef.MAIN_BRANCH) == null) {
            try {
                table.manageSnapshots().createBranch(SnapshotRef.MAIN_BRANCH).commit();
            } catch (IllegalArgumentException e) {
                // Created concurrently by another provisioner: the branch exists, which is all we need.
                table.refresh();
                if (table.refs().get(SnapshotRef.MAIN_BRANCH) == null) {
                    throw e;
                }
            }
        }
        return table;
    }

    private Table evolve(Table table, TableSpec spec) {
        List<String> added = new ArrayList<>();
        UpdateSchema update = table.updateSchema();
        for (Types.NestedField declared : spec.schema().columns()) {
            Types.NestedField existing = table.schema().findField(declared.name());
            if (existing == null) {
                update.addColumn(declared.name(), declared.type(), declared.doc());
                added.add(declared.name());
            } else if (!existing.type().equals(declared.type())) {
                throw new IllegalStateException(
                        "Table " + spec.identifier() + " column '" + declared.name() + "' has type "
                                + existing.type() + " but its spec declares " + declared.type()
                                + ". Incompatible type changes are not applied automatically: migrate the table"
                                + " or rename the column in the spec.");
            }
        }
        if (!added.isEmpty()) {
            update.commit();
            LOG.info("Evolved table {}: added optional columns {}", spec.identifier(), added);
        }

        UpdateProperties props = table.updateProperties();
        boolean changed = false;
        for (Map.Entry<String, String> e : spec.properties().entrySet()) {
            if (!e.getKey().equals("format-version") && !e.getValue().equals(table.properties().get(e.getKey()))) {
                props.set(e.getKey(), e.getValue());
                changed = true;
            }
        }
        if (changed) {
            props.commit();
            LOG.info("Updated properties of table {} to match its spec", spec.identifier());
        }
        if (!table.spec().compatibleWith(spec.partitionSpec())) {
            LOG.warn(
                    "Table {} is partitioned by {} but its spec declares {}; partition evolution is not automatic",
                    spec.identifier(), table.spec().fields(), spec.partitionSpec().fields());
        }
        table.refresh();
        return table;
    }

    private void ensureNamespace(Namespace namespace) {
        if (catalog instanceof SupportsNamespaces) {
            SupportsNamespaces namespaces = (SupportsNamespaces) catalog;
            if (!namespaces.namespaceExists(namespace)) {
                try {
                    namespaces.createNamespace(namespace);
                    LOG.info("Created namespace {}", namespace);
                } catch (AlreadyExistsException e) {
                    LOG.debug("Namespace {} was created concurrently", namespace);
                }
            }
        }
    }
}

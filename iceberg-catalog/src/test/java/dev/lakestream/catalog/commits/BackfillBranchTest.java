package dev.lakestream.catalog.commits;

import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Check and publish of a backfill branch, on a Hadoop table with hand-made commits. */
class BackfillBranchTest {

    @TempDir
    Path warehouse;

    private HadoopCatalog catalog;
    private Table table;
    private int files;

    @BeforeEach
    void createTable() {
        catalog = new HadoopCatalog(new Configuration(), warehouse.toUri().toString());
        table = catalog.createTable(TableIdentifier.of(Namespace.of("bronze"), "t"),
                new Schema(Types.NestedField.required(1, "id", Types.LongType.get())), PartitionSpec.unpartitioned());
    }

    @AfterEach
    void close() throws IOException {
        catalog.close();
    }

    /** An append of {@code rows} rows to {@code branch}, recording {@code ranges} as the Flink sink does. */
    private void append(String branch, long rows, SourceRanges ranges) {
        files++;
        DataFile file = DataFiles.builder(PartitionSpec.unpartitioned()).withPath(table.location() + "/data/f" + files + ".parquet")
                .withFormat(FileFormat.PARQUET).withFileSizeInBytes(100).withRecordCount(rows).build();
        table.newAppend().appendFile(file).set(SourceRanges.SUMMARY_KEY, ranges.toJson()).toBranch(branch).commit();
    }

    private static SourceRanges range(long lo, long hi) {
        return SourceRanges.empty().add("t|0", BigInteger.valueOf(lo), BigInteger.valueOf(hi));
    }

    private long mainRows() {
        table.refresh();
        Snapshot main = table.currentSnapshot();
        return main == null ? 0 : Long.parseLong(main.summary().get("total-records"));
    }

    @Test
    void mainUnmovedIsFastForwarded() {
        append("main", 100, range(100, 199));
        BackfillBranch backfill = BackfillBranch.of(table, "bf");
        assertThat(backfill.ensure()).isTrue();
        assertThat(backfill.ensure()).as("a second ensure keeps the branch").isFalse();
        append("bf", 100, range(0, 199));

        BackfillBranch.Check check = backfill.check();
        assertThat(check.problems).isEmpty();
        assertThat(check.addedRows).isEqualTo(100);
        assertThat(check.addedRanges).isEqualTo(range(0, 99));

        long branchHead = table.snapshot("bf").snapshotId();
        backfill.publish(true);
        assertThat(table.currentSnapshot().snapshotId()).as("fast-forwarded").isEqualTo(branchHead);
        assertThat(mainRows()).isEqualTo(200);
        assertThat(table.refs()).doesNotContainKey("bf");
    }

    @Test
    void mainMovedGetsOneAppendWithBothRanges() {
        append("main", 100, range(100, 199));
        BackfillBranch backfill = BackfillBranch.of(table, "bf");
        backfill.ensure();
        append("bf", 60, range(0, 159));
        append("bf", 40, range(0, 199));
        append("main", 50, range(100, 249));
        int snapshotsBefore = count(table.snapshots());

        backfill.publish(false);

        assertThat(mainRows()).isEqualTo(250);
        assertThat(count(table.snapshots())).as("one publish commit").isEqualTo(snapshotsBefore + 1);
        assertThat(table.currentSnapshot().summary()).containsEntry(BackfillBranch.PUBLISHED_FROM, "bf");
        assertThat(SourceRanges.committed(table, "main")).isEqualTo(range(0, 249));
        assertThat(table.refs()).containsKey("bf");
    }

    @Test
    void anOverlapWithWhatMainHoldsNowIsRefused() {
        append("main", 100, range(100, 199));
        BackfillBranch backfill = BackfillBranch.of(table, "bf");
        backfill.ensure();
        // The branch added 200..229 too, which main meanwhile got from the live job.
        append("bf", 130, range(0, 229));
        append("main", 50, range(100, 249));

        BackfillBranch.Check check = backfill.check();
        assertThat(check.problems).singleElement().asString().contains("already holds").contains("200").contains("229");
        assertThatThrownBy(() -> backfill.publish(true)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("duplicate");
        assertThat(mainRows()).isEqualTo(150);
    }

    @Test
    void anythingButAppendsIsRefused() {
        append("main", 100, range(100, 199));
        BackfillBranch backfill = BackfillBranch.of(table, "bf");
        backfill.ensure();
        append("bf", 100, range(0, 199));
        table.newDelete().deleteFromRowFilter(org.apache.iceberg.expressions.Expressions.alwaysTrue()).toBranch("bf").commit();

        assertThat(backfill.check().problems).anySatisfy(p -> assertThat(p).contains("not an append"));
    }

    @Test
    void aTableWithoutSnapshotsGetsAnEmptyBranchAndMainFromIt() {
        BackfillBranch backfill = BackfillBranch.of(table, "bf");
        backfill.ensure();
        append("bf", 10, range(0, 9));

        backfill.publish(true);

        assertThat(mainRows()).isEqualTo(10);
        assertThat(SourceRanges.committed(table, "main")).isEqualTo(range(0, 9));
    }

    private static int count(Iterable<?> items) {
        List<Object> list = new ArrayList<>();
        items.forEach(list::add);
        return list.size();
    }
}

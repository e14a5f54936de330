package dev.lakestream.catalog.commits;

import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A backfill written to an Iceberg branch of a table, checked and then published onto main.
 *
 * <p>The backfill job writes to {@code branch} (made from main's head when missing, {@link
 * #ensure}); its commits record their source ranges like main's ({@link SourceRanges}). Publishing
 * first checks that the branch only appended since it left main and that what it added overlaps
 * nothing main holds, now (main may have moved on meanwhile); then it fast-forwards main when main
 * has not moved, or else appends the branch's data files to main in one commit whose source ranges
 * are main's plus the branch's. Either way readers see the whole backfill at once, or none of it.
 */
public final class BackfillBranch {

    /** Snapshot summary key naming the branch a publish commit came from. */
    public static final String PUBLISHED_FROM = "lakestream.published-branch";

    private final Table table;
    private final String branch;

    private BackfillBranch(Table table, String branch) {
        if (SnapshotRef.MAIN_BRANCH.equals(branch)) {
            throw new IllegalArgumentException("a backfill branch must not be main");
        }
        this.table = table;
        this.branch = branch;
    }

    public static BackfillBranch of(Table table, String branch) {
        return new BackfillBranch(table, branch);
    }

    /** Creates the branch at main's head (an empty branch for an empty table) unless it exists. Returns whether it was created. */
    public boolean ensure() {
        table.refresh();
        if (table.refs().containsKey(branch)) {
            return false;
        }
        Snapshot main = table.snapshot(SnapshotRef.MAIN_BRANCH);
        if (main == null) {
            table.manageSnapshots().createBranch(branch).commit();
        } else {
            table.manageSnapshots().createBranch(branch, main.snapshotId()).commit();
        }
        return true;
    }

    /** What the branch would publish, and what stops it. */
    public static final class Check {
        public final String table;
        public final String branch;
        public final boolean exists;
        public final List<Snapshot> added;
        public final long addedRows;
        public final long addedFiles;
        public final SourceRanges addedRanges;
        public final List<String> problems;
        final Snapshot forkPoint;

        Check(String table, String branch, boolean exists, List<Snapshot> added, Snapshot forkPoint, SourceRanges addedRanges,
                List<String> problems) {
            this.table = table;
            this.branch = branch;
            this.exists = exists;
            this.added = added;
            this.forkPoint = forkPoint;
            this.addedRanges = addedRanges;
            this.problems = problems;
            long rows = 0;
            long files = 0;
            for (Snapshot s : added) {
                rows += Long.parseLong(s.summary().getOrDefault("added-records", "0"));
                files += Long.parseLong(s.summary().getOrDefault("added-data-files", "0"));
            }
            this.addedRows = rows;
            this.addedFiles = files;
        }

        public boolean publishable() {
            return exists && problems.isEmpty();
        }

        @Override
        public String toString() {
            if (!exists) {
                return table + ": no branch " + branch;
            }
            return table + " branch " + branch + ": " + added.size() + " commits, " + addedRows + " rows in " + addedFiles
                    + " files, source ranges " + addedRanges + (problems.isEmpty() ? "" : "; problems: " + problems);
        }
    }

    /** Checks the branch against main as it is now. */
    public Check check() {
        table.refresh();
        Snapshot head = table.snapshot(branch);
        if (head == null) {
            return new Check(table.name(), branch, false, List.of(), null, SourceRanges.empty(), List.of());
        }
        Set<Long> mainHistory = new HashSet<>();
        Snapshot main = table.snapshot(SnapshotRef.MAIN_BRANCH);
        if (main != null) {
            mainHistory.addAll(SnapshotUtil.ancestorIds(main, table::snapshot));
        }
        List<Snapshot> added = new ArrayList<>();
        Snapshot fork = null;
        for (Snapshot s : SnapshotUtil.ancestorsOf(head.snapshotId(), table::snapshot)) {
            if (mainHistory.contains(s.snapshotId())) {
                fork = s;
                break;
            }
            added.add(s);
        }
        Collections.reverse(added);
        List<String> problems = new ArrayList<>();
        for (Snapshot s : added) {
            if (!DataOperations.APPEND.equals(s.operation())) {
                problems.add("snapshot " + s.snapshotId() + " of branch " + branch + " is a " + s.operation()
                        + ", not an append: only appends can be published");
            }
        }
        SourceRanges branchRanges = SourceRanges.committedAsOf(table, head);
        SourceRanges addedRanges = fork == null ? branchRanges : branchRanges.minus(SourceRanges.committedAsOf(table, fork));
        SourceRanges overlap = addedRanges.overlapWith(main == null ? SourceRanges.empty() : SourceRanges.committedAsOf(table, main));
        if (!overlap.isEmpty()) {
            problems.add("the branch adds source positions main already holds: " + overlap
                    + "; publishing would duplicate them (rerun the backfill into a new branch)");
        }
        return new Check(table.name(), branch, true, added, fork, addedRanges, problems);
    }

    /**
     * Publishes the branch onto main after {@link #check()}; throws {@link IllegalStateException}
     * with the check's problems instead when it is not publishable. Drops the branch afterwards
     * when {@code dropBranch}.
     */
    public Check publish(boolean dropBranch) {
        Check check = check();
        if (!check.exists) {
            throw new IllegalStateException(table.name() + " has no branch " + branch + " to publish");
        }
        if (!check.problems.isEmpty()) {
            throw new IllegalStateException("Cannot publish branch " + branch + " of " + table.name() + ": "
                    + String.join("; ", check.problems));
        }
        Snapshot main = table.snapshot(SnapshotRef.MAIN_BRANCH);
        Snapshot head = table.snapshot(branch);
        boolean mainUnmoved = main == null ? check.forkPoint == null : check.forkPoint != null
                && check.forkPoint.snapshotId() == main.snapshotId();
        if (check.added.isEmpty()) {
            // Nothing to publish.
        } else if (mainUnmoved && main != null) {
            table.manageSnapshots().fastForwardBranch(SnapshotRef.MAIN_BRANCH, branch).commit();
        } else if (mainUnmoved) {
            table.manageSnapshots().createBranch(SnapshotRef.MAIN_BRANCH, head.snapshotId()).commit();
        } else {
            AppendFiles append = table.newAppend();
            for (Snapshot s : check.added) {
                for (DataFile file : s.addedDataFiles(table.io())) {
                    append.appendFile(file);
                }
            }
            SourceRanges ranges = main == null ? SourceRanges.empty() : SourceRanges.committedAsOf(table, main);
            ranges.addAll(check.addedRanges);
            append.set(SourceRanges.SUMMARY_KEY, ranges.toJson());
            append.set(PUBLISHED_FROM, branch);
            append.toBranch(SnapshotRef.MAIN_BRANCH);
            append.commit();
            repairRangesAfterRace(ranges);
        }
        if (dropBranch) {
            table.manageSnapshots().removeBranch(branch).commit();
        }
        table.refresh();
        return check;
    }

    /**
     * A commit that raced the publish (the live job committing to main) is applied under it by
     * Iceberg's retry, but the publish's ranges were computed without it: record the union again
     * in an empty commit so that main's newest ranges cover both.
     */
    private void repairRangesAfterRace(SourceRanges published) {
        table.refresh();
        Snapshot head = table.snapshot(SnapshotRef.MAIN_BRANCH);
        Snapshot parent = head == null || head.parentId() == null ? null : table.snapshot(head.parentId());
        if (parent == null) {
            return;
        }
        SourceRanges union = SourceRanges.empty().addAll(published).addAll(SourceRanges.committedAsOf(table, parent));
        if (!union.equals(SourceRanges.committedAsOf(table, head))) {
            table.newAppend().set(SourceRanges.SUMMARY_KEY, union.toJson()).set(PUBLISHED_FROM, branch)
                    .toBranch(SnapshotRef.MAIN_BRANCH).commit();
        }
    }
}

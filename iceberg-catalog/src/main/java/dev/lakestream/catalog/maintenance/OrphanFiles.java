package dev.lakestream.catalog.maintenance;

import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.ReachableFileUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsBulkOperations;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Deletes files under a table's location that no snapshot, manifest or metadata file of the table
 * references (left by failed commits, aborted rewrites, expired snapshots whose cleanup failed).
 *
 * <p>What is never deleted: files younger than {@code minAge}, because a running job has written
 * data files and manifests it will commit at its next checkpoint, and a job restored from a
 * checkpoint or savepoint commits the files that checkpoint holds (keep {@code minAge} above the
 * age of the oldest checkpoint or savepoint you may restore from); and files under the {@code keep}
 * prefixes, which belong to the table but are not table metadata (the gold tables' commit-watermark
 * stamps, which their writer cleans up itself).
 *
 * <p>Files are listed before the table's references are read, so a file committed between the two
 * counts as referenced. It needs a FileIO that lists files (S3FileIO, HadoopFileIO).
 */
final class OrphanFiles {

    private static final Logger LOG = LoggerFactory.getLogger(OrphanFiles.class);

    private OrphanFiles() {}

    /** What one run did. */
    static final class Result {
        final int listed;
        final int referenced;
        final List<String> deleted;

        Result(int listed, int referenced, List<String> deleted) {
            this.listed = listed;
            this.referenced = referenced;
            this.deleted = deleted;
        }

        @Override
        public String toString() {
            return deleted.size() + " orphan files deleted (" + listed + " files listed, " + referenced + " referenced)";
        }
    }

    static Result run(Table table, Duration minAge, long nowMillis, List<String> keepPrefixes) {
        FileIO io = table.io();
        if (!(io instanceof SupportsPrefixOperations)) {
            throw new IllegalStateException("Cannot look for orphan files of " + table.name() + ": its FileIO "
                    + io.getClass().getName() + " cannot list files (use S3FileIO or HadoopFileIO)");
        }
        String root = withSlash(table.location());
        // Written before the listing starts, so the listing must show it (see the check below).
        table.refresh();
        String metadata = ((HasTableOperations) table).operations().current().metadataFileLocation();
        long olderThan = nowMillis - minAge.toMillis();
        Set<String> listed = new HashSet<>();
        List<String> candidates = new ArrayList<>();
        for (FileInfo file : ((SupportsPrefixOperations) io).listPrefix(root)) {
            String key = key(file.location());
            listed.add(key);
            if (file.createdAtMillis() < olderThan && !kept(file.location(), keepPrefixes)) {
                candidates.add(file.location());
            }
        }
        table.refresh();
        Set<String> referenced = referenced(table);
        if (!listed.contains(key(metadata))) {
            // Listed and referenced locations do not compare (another scheme or authority): deleting
            // would take live files.
            throw new IllegalStateException("Listing " + root + " did not find the metadata file " + metadata
                    + " of " + table.name() + ": not deleting orphan files");
        }
        List<String> orphans = new ArrayList<>();
        for (String location : candidates) {
            if (!referenced.contains(key(location))) {
                orphans.add(location);
            }
        }
        if (!orphans.isEmpty()) {
            if (io instanceof SupportsBulkOperations) {
                ((SupportsBulkOperations) io).deleteFiles(orphans);
            } else {
                orphans.forEach(io::deleteFile);
            }
            LOG.info("Deleted {} orphan files of {} older than {}: {}", orphans.size(), table.name(), minAge,
                    orphans.size() > 20 ? orphans.subList(0, 20) + " ..." : orphans);
        }
        return new Result(listed.size(), referenced.size(), orphans);
    }

    /** Every file the table's metadata references, as {@link #key}s. */
    static Set<String> referenced(Table table) {
        Set<String> files = new HashSet<>();
        ReachableFileUtil.metadataFileLocations(table, false).forEach(f -> files.add(key(f)));
        files.add(key(ReachableFileUtil.versionHintLocation(table)));
        ReachableFileUtil.manifestListLocations(table).forEach(f -> files.add(key(f)));
        ReachableFileUtil.statisticsFilesLocations(table).forEach(f -> files.add(key(f)));
        Set<String> manifests = new HashSet<>();
        for (Snapshot snapshot : table.snapshots()) {
            for (ManifestFile manifest : snapshot.allManifests(table.io())) {
                if (!manifests.add(manifest.path())) {
                    continue;
                }
                files.add(key(manifest.path()));
                try {
                    if (manifest.content() == ManifestContent.DATA) {
                        try (CloseableIterable<String> paths = ManifestFiles.readPaths(manifest, table.io(), table.specs())) {
                            paths.forEach(p -> files.add(key(p)));
                        }
                    } else {
                        try (ManifestReader<DeleteFile> deletes =
                                ManifestFiles.readDeleteManifest(manifest, table.io(), table.specs())) {
                            deletes.forEach(d -> files.add(key(d.location())));
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot read manifest " + manifest.path() + " of " + table.name(), e);
                }
            }
        }
        return files;
    }

    private static boolean kept(String location, List<String> keepPrefixes) {
        String key = key(location);
        for (String prefix : keepPrefixes) {
            if (key.startsWith(key(withSlash(prefix)))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A location without its scheme and leading slashes, so that {@code s3://b/k}, {@code s3a://b/k}
     * and {@code file:/d/k} vs {@code file:///d/k} compare equal.
     */
    static String key(String location) {
        int colon = location.indexOf(':');
        String path = colon > 0 && colon < 8 ? location.substring(colon + 1) : location;
        int start = 0;
        while (start < path.length() && path.charAt(start) == '/') {
            start++;
        }
        return path.substring(start);
    }

    private static String withSlash(String location) {
        return location.endsWith("/") ? location : location + "/";
    }
}

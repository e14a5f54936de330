package dev.lakestream.jobs.sink;

import org.apache.iceberg.Table;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.SeekableInputStream;
import org.apache.iceberg.io.SupportsBulkOperations;
import org.apache.iceberg.io.SupportsPrefixOperations;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The event-time watermark a gold commit is complete up to: the snapshot summary keys, and the stamp
 * files through which it travels from the writers' side ({@link WatermarkStamp}) to the committer
 * ({@link CommitStampingTableLoader}).
 *
 * <p>Iceberg's Flink committer takes only static snapshot properties, so each stamp subtask writes
 * its input watermark at checkpoint {@code N} to
 * {@code <table location>/metadata/lakestream-watermarks/<flink job id>/<N>/<subtask>-of-<parallelism>}
 * (one directory per checkpoint, because HadoopFileIO lists directories, not name prefixes; the
 * parallelism in the name tells the committer how many files make the set complete). Flink finishes
 * every subtask's snapshot of checkpoint {@code N} before the checkpoint completes and the committer
 * commits it, so the committer reads the whole set and records their minimum.
 */
public final class CommitWatermarks {

    /** Snapshot summary key: the watermark as an ISO-8601 UTC instant, or {@link #END_OF_INPUT}. */
    public static final String WATERMARK = "lakestream.watermark";
    /** Snapshot summary key: the watermark in epoch milliseconds ({@code Long.MAX_VALUE} at the end of input). */
    public static final String WATERMARK_MS = "lakestream.watermark-ms";
    /**
     * {@link #WATERMARK} for Flink's end-of-input watermark ({@code Long.MAX_VALUE}): not an instant
     * (year 292278994 would break readers that parse it), and every window is final.
     */
    public static final String END_OF_INPUT = "end-of-input";

    /** Summary keys Iceberg's Flink committer sets on each commit (its own constants are not public). */
    static final String CHECKPOINT_ID_PROPERTY = "flink.max-committed-checkpoint-id";
    static final String JOB_ID_PROPERTY = "flink.job-id";

    private static final String STAMPS_FOLDER = "/lakestream-watermarks/";

    /** How long stamps of other jobs (earlier runs) are kept: long past any restore of their last checkpoint. */
    static final Duration OTHER_JOBS_RETENTION = Duration.ofDays(7);

    private static final Pattern STAMP_NAME = Pattern.compile("(\\d+)-of-(\\d+)");

    private CommitWatermarks() {}

    /** The stamp files' root of a table; under its metadata so that table-level tools treat them as the table's. */
    public static String directory(Table table) {
        return directory(table, STAMPS_FOLDER.substring(1, STAMPS_FOLDER.length() - 1));
    }

    /** The root of one kind of stamp files ({@code folder}) of a table, under its metadata. */
    static String directory(Table table, String folder) {
        return stripSlash(table.location()) + "/metadata/" + folder;
    }

    /** The directory holding one checkpoint's stamps, ending with '/'. */
    static String checkpointDirectory(String directory, String jobId, long checkpointId) {
        return jobDirectory(directory, jobId) + checkpointId + "/";
    }

    static String jobDirectory(String directory, String jobId) {
        return stripSlash(directory) + "/" + jobId + "/";
    }

    /** Where subtask {@code subtask} of {@code parallelism} stamps checkpoint {@code checkpointId}. */
    public static String stampPath(String directory, String jobId, long checkpointId, int subtask, int parallelism) {
        return checkpointDirectory(directory, jobId, checkpointId) + subtask + "-of-" + parallelism;
    }

    /** The summary properties for {@code watermark}: none while no watermark has arrived ({@code Long.MIN_VALUE}). */
    public static Map<String, String> summary(long watermark) {
        Map<String, String> out = new LinkedHashMap<>();
        if (watermark == Long.MIN_VALUE) {
            return out;
        }
        out.put(WATERMARK, watermark == Long.MAX_VALUE ? END_OF_INPUT : Instant.ofEpochMilli(watermark).toString());
        out.put(WATERMARK_MS, Long.toString(watermark));
        return out;
    }

    /** Fails the job build when {@code io} cannot list stamps: the committer would never find them. */
    static void requireListing(FileIO io, String table) {
        if (!(io instanceof SupportsPrefixOperations)) {
            throw new IllegalStateException("Gold table " + table + " records commit watermarks through stamp files its"
                    + " committer lists, but its FileIO " + io.getClass().getName() + " cannot list files"
                    + " (SupportsPrefixOperations); use S3FileIO or HadoopFileIO");
        }
    }

    /** Writes one stamp (the watermark in decimal), replacing a stamp a previous attempt left. */
    static void write(FileIO io, String path, long watermark) throws IOException {
        write(io, path, Long.toString(watermark));
    }

    /** Writes one stamp's text (UTF-8), replacing a stamp a previous attempt left. */
    static void write(FileIO io, String path, String content) throws IOException {
        try (PositionOutputStream out = io.newOutputFile(path).createOrOverwrite()) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Every subtask's stamp text of one checkpoint, by subtask, or why they are not all there. */
    static final class Stamps {
        final Map<Integer, String> bySubtask;
        final String problem;

        private Stamps(Map<Integer, String> bySubtask, String problem) {
            this.bySubtask = bySubtask;
            this.problem = problem;
        }
    }

    /** The minimum watermark of one checkpoint's stamps, or why it cannot be known. */
    public static final class Read {
        private final OptionalLong watermark;
        private final String problem;

        private Read(OptionalLong watermark, String problem) {
            this.watermark = watermark;
            this.problem = problem;
        }

        /** The minimum over all subtasks; empty when {@link #problem()} says why. */
        public OptionalLong watermark() {
            return watermark;
        }

        /** Why the watermark is unknown (missing, ambiguous or unreadable stamps), or null. */
        public String problem() {
            return problem;
        }

        @Override
        public String toString() {
            return problem == null ? "watermark " + watermark.getAsLong() : problem;
        }
    }

    private static Read problem(String problem) {
        return new Read(OptionalLong.empty(), problem);
    }

    /**
     * Reads the stamps of checkpoint {@code checkpointId} of job {@code jobId}: the minimum over every
     * subtask, or a problem when a subtask's stamp is missing or unreadable, or when stamps of two
     * parallelisms are there (left by another run of the same job id).
     */
    public static Read read(FileIO io, String directory, String jobId, long checkpointId) {
        Stamps stamps = readStamps(io, directory, jobId, checkpointId);
        if (stamps.problem != null) {
            return problem(stamps.problem);
        }
        long min = Long.MAX_VALUE;
        for (Map.Entry<Integer, String> stamp : stamps.bySubtask.entrySet()) {
            try {
                min = Math.min(min, Long.parseLong(stamp.getValue().trim()));
            } catch (NumberFormatException e) {
                return problem("cannot read stamp of subtask " + stamp.getKey() + " under "
                        + checkpointDirectory(directory, jobId, checkpointId) + ": not a watermark: " + e.getMessage());
            }
        }
        return new Read(OptionalLong.of(min), null);
    }

    /**
     * Reads the stamps of checkpoint {@code checkpointId} of job {@code jobId}: one text per subtask,
     * or a problem when a subtask's stamp is missing or unreadable, or when stamps of two
     * parallelisms are there (left by another run of the same job id).
     */
    static Stamps readStamps(FileIO io, String directory, String jobId, long checkpointId) {
        String prefix = checkpointDirectory(directory, jobId, checkpointId);
        if (!(io instanceof SupportsPrefixOperations)) {
            return new Stamps(null, io.getClass().getName() + " cannot list " + prefix);
        }
        Map<Integer, Map<Integer, String>> byParallelism = new TreeMap<>();
        try {
            for (FileInfo file : list((SupportsPrefixOperations) io, prefix)) {
                Matcher name = STAMP_NAME.matcher(fileName(file.location()));
                if (name.matches()) {
                    byParallelism.computeIfAbsent(Integer.parseInt(name.group(2)), p -> new TreeMap<>())
                            .put(Integer.parseInt(name.group(1)), file.location());
                }
            }
        } catch (RuntimeException e) {
            return new Stamps(null, "cannot list " + prefix + ": " + e);
        }
        if (byParallelism.isEmpty()) {
            return new Stamps(null, "no stamp under " + prefix);
        }
        if (byParallelism.size() > 1) {
            return new Stamps(null, "stamps of parallelisms " + byParallelism.keySet() + " under " + prefix);
        }
        int parallelism = byParallelism.keySet().iterator().next();
        Map<Integer, String> locations = byParallelism.get(parallelism);
        List<Integer> missing = new ArrayList<>();
        for (int subtask = 0; subtask < parallelism; subtask++) {
            if (!locations.containsKey(subtask)) {
                missing.add(subtask);
            }
        }
        if (!missing.isEmpty()) {
            return new Stamps(null, "stamps of subtasks " + missing + " of " + parallelism + " missing under " + prefix);
        }
        Map<Integer, String> contents = new TreeMap<>();
        for (Map.Entry<Integer, String> location : locations.entrySet()) {
            try {
                contents.put(location.getKey(), readAll(io.newInputFile(location.getValue())));
            } catch (IOException | RuntimeException e) {
                return new Stamps(null, "cannot read stamp " + location.getValue() + ": " + e);
            }
        }
        return new Stamps(contents, null);
    }

    /**
     * Deletes the stamps no commit needs any more: those of job {@code jobId} up to {@code
     * checkpointId} (committed, or never completed), and those of other jobs older than {@link
     * #OTHER_JOBS_RETENTION} (a stopped or failed run leaves the stamps of checkpoints it did not
     * commit; a restored run commits its predecessor's last checkpoint first, before any commit of
     * its own). Returns how many were deleted; throws on failure.
     */
    static int deleteObsolete(FileIO io, String directory, String jobId, long checkpointId, long nowMillis) {
        List<String> obsolete = new ArrayList<>();
        for (FileInfo file : list((SupportsPrefixOperations) io, stripSlash(directory) + "/")) {
            // <directory>/<job id>/<checkpoint>/<subtask>-of-<parallelism>
            String location = file.location();
            // By the folder's name: listings may spell the scheme differently from the table location.
            String root = stripSlash(directory);
            String marker = root.substring(root.lastIndexOf('/')) + "/";
            int folder = location.lastIndexOf(marker);
            String[] parts = folder < 0 ? new String[0] : location.substring(folder + marker.length()).split("/");
            if (parts.length != 3 || !parts[1].matches("\\d+")) {
                continue;
            }
            boolean done = parts[0].equals(jobId)
                    ? Long.parseLong(parts[1]) <= checkpointId
                    : file.createdAtMillis() < nowMillis - OTHER_JOBS_RETENTION.toMillis();
            if (done) {
                obsolete.add(location);
            }
        }
        if (obsolete.isEmpty()) {
            return 0;
        }
        if (io instanceof SupportsBulkOperations) {
            ((SupportsBulkOperations) io).deleteFiles(obsolete);
        } else {
            obsolete.forEach(io::deleteFile);
        }
        return obsolete.size();
    }

    /** Lists {@code prefix}; a directory that does not exist (HadoopFileIO) lists nothing. */
    private static List<FileInfo> list(SupportsPrefixOperations io, String prefix) {
        List<FileInfo> out = new ArrayList<>();
        try {
            io.listPrefix(prefix).forEach(out::add);
        } catch (UncheckedIOException e) {
            if (!(e.getCause() instanceof FileNotFoundException)) {
                throw e;
            }
        }
        return out;
    }

    private static String readAll(InputFile file) throws IOException {
        try (SeekableInputStream in = file.newStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String fileName(String location) {
        return location.substring(location.lastIndexOf('/') + 1);
    }

    private static String stripSlash(String location) {
        return location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
    }
}

package dev.lakestream.jobs.sink;

import dev.lakestream.catalog.commits.SourceRanges;

import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.Table;
import org.apache.iceberg.flink.TableLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The table loader of a committer whose commits record what the committed checkpoint holds, from
 * stamp files written beside the writers:
 *
 * <ul>
 *   <li>gold tables: the watermark the checkpoint is complete up to ({@link WatermarkStamp},
 *       {@link CommitWatermarks});
 *   <li>tables whose rows carry source coordinates: the source ranges the table holds after the
 *       commit ({@link ReplayGuard}, {@link SourceRanges}): the parent's ranges plus, per source
 *       partition, the lowest to highest position the checkpoint's stamps report.
 * </ul>
 *
 * <p>Iceberg's committer takes only static snapshot properties and cannot be extended (package
 * private, built inside FlinkSink), but it gets its table from this loader. So the table is handed
 * out behind a {@link Proxy} of the public interfaces it implements; the snapshot updates it creates
 * ({@code newAppend}, {@code newRowDelta}, {@code newReplacePartitions}, ...) are proxied too, and
 * watch the committer's {@code set("flink.max-committed-checkpoint-id", N)} and {@code
 * set("flink.job-id", ...)} and {@code toBranch(...)}. On {@code commit()} they read checkpoint
 * {@code N}'s stamps and add what they say to the summary. A missing or unreadable stamp never
 * fails the commit: it goes on without the watermark keys, or with the parent's source ranges
 * unchanged, with a WARN that says why. After the commit, the stamps no commit needs any more are
 * deleted, best effort ({@link CommitWatermarks#deleteObsolete}).
 *
 * <p>Everything else goes to the real table and update unchanged; a method that returns the update
 * itself (a fluent setter) returns the proxy, so the committer keeps talking to it.
 */
public final class CommitStampingTableLoader implements TableLoader {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CommitStampingTableLoader.class);

    private final TableLoader delegate;
    private final String watermarks;
    private final String ranges;

    /**
     * @param watermarks {@link CommitWatermarks#directory} of the table, or null when its commits record no watermark
     * @param ranges {@link ReplayGuard#directory} of the table, or null when its commits record no source ranges
     */
    public CommitStampingTableLoader(TableLoader delegate, String watermarks, String ranges) {
        this.delegate = delegate;
        this.watermarks = watermarks;
        this.ranges = ranges;
    }

    @Override
    public void open() {
        delegate.open();
    }

    @Override
    public boolean isOpen() {
        return delegate.isOpen();
    }

    @Override
    public Table loadTable() {
        return wrap(delegate.loadTable(), watermarks, ranges);
    }

    @Override
    @SuppressWarnings("MethodDoesntCallSuperMethod")
    public TableLoader clone() {
        return new CommitStampingTableLoader(delegate.clone(), watermarks, ranges);
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    @Override
    public String toString() {
        return "CommitStampingTableLoader{" + delegate + "}";
    }

    /** {@code table}, whose snapshot updates record what the stamps under the given directories (each nullable) say. */
    public static Table wrap(Table table, String watermarks, String ranges) {
        return (Table) proxy(table, new TableHandler(table, watermarks, ranges));
    }

    private static Object proxy(Object target, InvocationHandler handler) {
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        for (Class<?> type = target.getClass(); type != null; type = type.getSuperclass()) {
            for (Class<?> candidate : type.getInterfaces()) {
                // Non-public interfaces would pin the proxy class to their package; callers use public ones.
                if (Modifier.isPublic(candidate.getModifiers())) {
                    interfaces.add(candidate);
                }
            }
        }
        return Proxy.newProxyInstance(target.getClass().getClassLoader(), interfaces.toArray(new Class<?>[0]), handler);
    }

    /** Calls {@code method} on {@code target}, throwing what it throws (not the reflective wrapper). */
    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Answers equals, hashCode and toString of a proxy; null for any other method. */
    private static Object objectMethod(Object proxy, Object target, Method method, Object[] args) {
        if (method.getDeclaringClass() != Object.class) {
            return null;
        }
        switch (method.getName()) {
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            default:
                return target.toString();
        }
    }

    private static final class TableHandler implements InvocationHandler {
        private final Table table;
        private final String watermarks;
        private final String ranges;

        TableHandler(Table table, String watermarks, String ranges) {
            this.table = table;
            this.watermarks = watermarks;
            this.ranges = ranges;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            Object own = objectMethod(proxy, table, method, args);
            if (own != null) {
                return own;
            }
            Object result = call(table, method, args);
            if (result == table) {
                return proxy;
            }
            if (result instanceof SnapshotUpdate) {
                UpdateHandler handler = new UpdateHandler(table, (SnapshotUpdate<?>) result, watermarks, ranges);
                handler.proxy = proxy(result, handler);
                return handler.proxy;
            }
            return result;
        }
    }

    private static final class UpdateHandler implements InvocationHandler {
        private final Table table;
        private final SnapshotUpdate<?> update;
        private final String watermarks;
        private final String ranges;
        private Object proxy;
        private String checkpointId;
        private String jobId;
        private String branch = SnapshotRef.MAIN_BRANCH;

        UpdateHandler(Table table, SnapshotUpdate<?> update, String watermarks, String ranges) {
            this.table = table;
            this.update = update;
            this.watermarks = watermarks;
            this.ranges = ranges;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            Object own = objectMethod(proxy, update, method, args);
            if (own != null) {
                return own;
            }
            boolean commit = "commit".equals(method.getName()) && method.getParameterCount() == 0;
            if ("set".equals(method.getName()) && method.getParameterCount() == 2) {
                if (CommitWatermarks.CHECKPOINT_ID_PROPERTY.equals(args[0])) {
                    checkpointId = (String) args[1];
                } else if (CommitWatermarks.JOB_ID_PROPERTY.equals(args[0])) {
                    jobId = (String) args[1];
                }
            } else if ("toBranch".equals(method.getName()) && method.getParameterCount() == 1 && args[0] != null) {
                branch = (String) args[0];
            } else if (commit) {
                if (watermarks != null) {
                    addWatermark();
                }
                if (ranges != null) {
                    addSourceRanges();
                }
            }
            Object result = call(update, method, args);
            if (commit) {
                if (watermarks != null) {
                    deleteCommittedStamps(watermarks);
                }
                if (ranges != null) {
                    deleteCommittedStamps(ranges);
                }
            }
            return result == update ? this.proxy : result;
        }

        /** The committed checkpoint, or -1 when this update is not a Flink committer's commit. */
        private long checkpoint() {
            if (checkpointId == null || jobId == null) {
                return -1;
            }
            try {
                return Long.parseLong(checkpointId);
            } catch (NumberFormatException e) {
                LOG.warn("Committing to {} without a watermark: checkpoint id '{}' is not a number", table.name(), checkpointId);
                return -1;
            }
        }

        private void addWatermark() {
            long checkpoint = checkpoint();
            if (checkpoint < 0) {
                return;
            }
            CommitWatermarks.Read read;
            try {
                read = CommitWatermarks.read(table.io(), watermarks, jobId, checkpoint);
            } catch (RuntimeException e) {
                LOG.warn("Committing checkpoint {} of job {} to {} without a watermark: reading its stamps failed",
                        checkpoint, jobId, table.name(), e);
                return;
            }
            OptionalLong watermark = read.watermark();
            if (watermark.isEmpty()) {
                LOG.warn("Committing checkpoint {} of job {} to {} without a watermark: {}", checkpoint, jobId,
                        table.name(), read.problem());
                return;
            }
            Map<String, String> summary = CommitWatermarks.summary(watermark.getAsLong());
            if (summary.isEmpty()) {
                LOG.info("Committing checkpoint {} of job {} to {} without a watermark: none has arrived yet",
                        checkpoint, jobId, table.name());
            }
            summary.forEach(update::set);
        }

        /**
         * Sets the summary's source ranges: the parent's, plus per partition the hull of what the
         * checkpoint's stamps report. Without readable stamps the parent's ranges are kept as they
         * are (a later replay may then add this commit's rows again, but nothing is lost).
         */
        private void addSourceRanges() {
            SourceRanges all;
            try {
                all = SourceRanges.committed(table, branch);
            } catch (IllegalArgumentException e) {
                LOG.warn("Committing to {} without source ranges: the parent's cannot be read", table.name(), e);
                return;
            }
            long checkpoint = checkpoint();
            if (checkpoint < 0) {
                update.set(SourceRanges.SUMMARY_KEY, all.toJson());
                return;
            }
            CommitWatermarks.Stamps stamps = CommitWatermarks.readStamps(table.io(), ranges, jobId, checkpoint);
            if (stamps.problem != null) {
                LOG.warn("Committing checkpoint {} of job {} to {} with its parent's source ranges: {}", checkpoint, jobId,
                        table.name(), stamps.problem);
            } else {
                try {
                    all.addAll(hull(stamps.bySubtask.values()));
                } catch (IllegalArgumentException e) {
                    LOG.warn("Committing checkpoint {} of job {} to {} with its parent's source ranges: a stamp is unreadable",
                            checkpoint, jobId, table.name(), e);
                }
            }
            update.set(SourceRanges.SUMMARY_KEY, all.toJson());
        }

        private void deleteCommittedStamps(String directory) {
            long checkpoint = checkpoint();
            if (checkpoint < 0) {
                return;
            }
            try {
                int deleted = CommitWatermarks.deleteObsolete(table.io(), directory, jobId, checkpoint, System.currentTimeMillis());
                LOG.debug("Deleted {} stamps of {} no longer needed after checkpoint {}", deleted, table.name(), checkpoint);
            } catch (RuntimeException e) {
                LOG.warn("Cannot delete the stamps of {} done with at checkpoint {} of job {}: they stay under {}",
                        table.name(), checkpoint, jobId, directory, e);
            }
        }
    }

    /** Per partition, the lowest to highest position over all subtasks' stamps (see {@link ReplayGuard}). */
    static SourceRanges hull(Iterable<String> stamps) {
        java.util.Map<String, java.math.BigInteger[]> bounds = new java.util.TreeMap<>();
        for (String stamp : stamps) {
            SourceRanges subtask = SourceRanges.fromJson(stamp);
            for (String partition : subtask.partitions()) {
                for (java.math.BigInteger[] r : subtask.ranges(partition)) {
                    java.math.BigInteger[] b = bounds.get(partition);
                    if (b == null) {
                        bounds.put(partition, r);
                    } else {
                        b[0] = b[0].min(r[0]);
                        b[1] = b[1].max(r[1]);
                    }
                }
            }
        }
        SourceRanges out = SourceRanges.empty();
        bounds.forEach((p, b) -> out.add(p, b[0], b[1]));
        return out;
    }
}

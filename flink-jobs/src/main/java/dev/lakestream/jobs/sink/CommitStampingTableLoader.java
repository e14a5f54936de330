package dev.lakestream.jobs.sink;

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
 * The table loader of a gold table's committer: its tables record, on each commit that Iceberg's
 * Flink committer makes, the watermark the committed checkpoint is complete up to.
 *
 * <p>Iceberg's committer takes only static snapshot properties and cannot be extended (package
 * private, built inside FlinkSink), but it gets its table from this loader. So the table is handed
 * out behind a {@link Proxy} of the public interfaces it implements; the snapshot updates it creates
 * ({@code newAppend}, {@code newRowDelta}, {@code newReplacePartitions}, ...) are proxied too, and
 * watch the committer's {@code set("flink.max-committed-checkpoint-id", N)} and {@code
 * set("flink.job-id", ...)}. On {@code commit()} they read checkpoint {@code N}'s stamps ({@link
 * CommitWatermarks#read}) and add their minimum to the summary. A missing or unreadable stamp never
 * fails the commit: it goes on without the watermark keys, with a WARN that says why. After the
 * commit, the stamps no commit needs any more are deleted, best effort ({@link
 * CommitWatermarks#deleteObsolete}).
 *
 * <p>Everything else goes to the real table and update unchanged; a method that returns the update
 * itself (a fluent setter) returns the proxy, so the committer keeps talking to it.
 */
public final class WatermarkStampingTableLoader implements TableLoader {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(WatermarkStampingTableLoader.class);

    private final TableLoader delegate;
    private final String directory;

    /** @param directory {@link CommitWatermarks#directory} of the table, as the stamps use it */
    public WatermarkStampingTableLoader(TableLoader delegate, String directory) {
        this.delegate = delegate;
        this.directory = directory;
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
        return wrap(delegate.loadTable(), directory);
    }

    @Override
    @SuppressWarnings("MethodDoesntCallSuperMethod")
    public TableLoader clone() {
        return new WatermarkStampingTableLoader(delegate.clone(), directory);
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    @Override
    public String toString() {
        return "WatermarkStampingTableLoader{" + delegate + "}";
    }

    /** {@code table}, whose snapshot updates record commit watermarks from the stamps under {@code directory}. */
    public static Table wrap(Table table, String directory) {
        return (Table) proxy(table, new TableHandler(table, directory));
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
        private final String directory;

        TableHandler(Table table, String directory) {
            this.table = table;
            this.directory = directory;
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
                UpdateHandler handler = new UpdateHandler(table, (SnapshotUpdate<?>) result, directory);
                handler.proxy = proxy(result, handler);
                return handler.proxy;
            }
            return result;
        }
    }

    private static final class UpdateHandler implements InvocationHandler {
        private final Table table;
        private final SnapshotUpdate<?> update;
        private final String directory;
        private Object proxy;
        private String checkpointId;
        private String jobId;

        UpdateHandler(Table table, SnapshotUpdate<?> update, String directory) {
            this.table = table;
            this.update = update;
            this.directory = directory;
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
            } else if (commit) {
                addWatermark();
            }
            Object result = call(update, method, args);
            if (commit) {
                deleteCommittedStamps();
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
                read = CommitWatermarks.read(table.io(), directory, jobId, checkpoint);
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

        private void deleteCommittedStamps() {
            long checkpoint = checkpoint();
            if (checkpoint < 0) {
                return;
            }
            try {
                int deleted = CommitWatermarks.deleteObsolete(table.io(), directory, jobId, checkpoint, System.currentTimeMillis());
                LOG.debug("Deleted {} watermark stamps of {} no longer needed after checkpoint {}", deleted, table.name(), checkpoint);
            } catch (RuntimeException e) {
                LOG.warn("Cannot delete the watermark stamps of {} done with at checkpoint {} of job {}: they stay under {}",
                        table.name(), checkpoint, jobId, directory, e);
            }
        }
    }
}

package dev.lakestream.jobs;

import dev.lakestream.catalog.CatalogFactory;
import dev.lakestream.catalog.commits.BackfillBranch;
import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.jobs.config.PipelineConfig;
import dev.lakestream.jobs.sink.SinkOptions;

import org.apache.flink.configuration.ReadableConfig;
import org.apache.iceberg.catalog.Catalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks, then publishes onto main, the branch a backfill run wrote ({@code sink.branch}). Same
 * configuration as the backfill run itself:
 *
 * <pre>
 *   BackfillApplication --config backfill.properties --check      # report, change nothing
 *   BackfillApplication --config backfill.properties --publish    # check, then publish every table, drop the branch
 *   BackfillApplication --config backfill.properties --publish --keep-branch
 * </pre>
 *
 * Every table is checked before any is published: one table whose branch would duplicate what
 * main holds stops the whole publish, with the reason.
 */
public final class BackfillApplication {

    private static final Logger LOG = LoggerFactory.getLogger(BackfillApplication.class);

    private BackfillApplication() {}

    public static void main(String[] args) {
        Mode mode = null;
        boolean keepBranch = false;
        List<String> rest = new ArrayList<>();
        for (String arg : args) {
            if ("--check".equals(arg)) {
                mode = Mode.CHECK;
            } else if ("--publish".equals(arg)) {
                mode = Mode.PUBLISH;
            } else if ("--keep-branch".equals(arg)) {
                keepBranch = true;
            } else {
                rest.add(arg);
            }
        }
        if (mode == null) {
            throw new IllegalArgumentException("Usage: --config <file.properties> (--check | --publish [--keep-branch])");
        }
        PipelineConfig config = IngestionPipeline.validate(IngestionApplication.load(rest.toArray(new String[0])));
        List<BackfillBranch.Check> checks = run(config.configuration(), mode == Mode.PUBLISH, !keepBranch);
        checks.forEach(c -> LOG.info("{}", c));
    }

    /** Whether to only check the branches or also publish them. */
    enum Mode {
        CHECK,
        PUBLISH
    }

    /**
     * Checks the branch of every table of {@code config}; when {@code publish}, and only when every
     * check passes, publishes each. Throws {@link IllegalStateException} naming every problem.
     */
    public static List<BackfillBranch.Check> run(ReadableConfig config, boolean publish, boolean dropBranch) {
        if (!SinkOptions.writesToBranch(config)) {
            throw new IllegalArgumentException("key '" + SinkOptions.BRANCH.key() + "' names main: a backfill to publish"
                    + " is written to a branch of its own, e.g. sink.branch=backfill_2026_11");
        }
        String branch = config.get(SinkOptions.BRANCH);
        Catalog catalog = CatalogFactory.open(config);
        try {
            List<BackfillBranch> branches = new ArrayList<>();
            List<BackfillBranch.Check> checks = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            for (TableSpec spec : IngestionPipeline.tables(config)) {
                BackfillBranch b = BackfillBranch.of(catalog.loadTable(spec.identifier()), branch);
                BackfillBranch.Check check = b.check();
                branches.add(b);
                checks.add(check);
                if (!check.exists) {
                    problems.add(check.toString());
                }
                check.problems.forEach(p -> problems.add(check.table + ": " + p));
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("Backfill branch " + branch + " cannot be published: " + String.join("; ", problems));
            }
            if (!publish) {
                return checks;
            }
            List<BackfillBranch.Check> published = new ArrayList<>();
            for (BackfillBranch b : branches) {
                BackfillBranch.Check done = b.publish(dropBranch);
                LOG.info("Published {}", done);
                published.add(done);
            }
            return published;
        } finally {
            if (catalog instanceof AutoCloseable) {
                try {
                    ((AutoCloseable) catalog).close();
                } catch (Exception e) {
                    LOG.warn("Cannot close the catalog", e);
                }
            }
        }
    }
}

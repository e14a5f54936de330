package dev.lakestream.jobs;

import dev.lakestream.jobs.config.PipelineConfig;
import dev.lakestream.jobs.config.PipelineOptions;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * Entry point of the application jar.
 *
 * <ul>
 *   <li>On Managed Service for Apache Flink: no arguments; the configuration comes from the
 *       application's runtime property groups.
 *   <li>Elsewhere: {@code --config <file.properties>} with the same keys.
 * </ul>
 *
 * Order matters: validate everything, provision tables, then submit. A bad configuration or an
 * unreadable table spec stops here, before any data moves.
 */
public final class IngestionApplication {

    private static final Logger LOG = LoggerFactory.getLogger(IngestionApplication.class);

    private IngestionApplication() {}

    public static void main(String[] args) throws Exception {
        PipelineConfig config = IngestionPipeline.validate(load(args));
        String name = config.configuration().get(PipelineOptions.NAME);
        LOG.info("Starting {} with configuration:\n{}", name, config.describe());

        IngestionPipeline.provisionTables(config.configuration());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        IngestionPipeline.build(env, config.configuration());
        env.execute(name);
    }

    /** Reads {@code --config <file>} when given, the MSF runtime properties otherwise. */
    public static PipelineConfig load(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if ("--config".equals(args[i])) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--config needs a file path");
                }
                return PipelineConfig.fromPropertiesFile(Path.of(args[i + 1]), IngestionPipeline.options());
            }
            throw new IllegalArgumentException("Unknown argument '" + args[i] + "'. Usage: [--config <file.properties>]");
        }
        return PipelineConfig.fromRuntimeProperties(IngestionPipeline.options());
    }
}

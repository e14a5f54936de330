package dev.lakestream.jobs.config;

import dev.lakestream.catalog.CatalogOptions;
import dev.lakestream.cdc.mysql.MySqlCdcOptions;
import dev.lakestream.cdc.postgres.PostgresCdcOptions;
import dev.lakestream.jobs.bronze.kinesis.KinesisBronzeOptions;

import org.apache.flink.configuration.ConfigOption;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which option values are credentials, declared here rather than guessed from key names: they are
 * masked in {@link PipelineConfig#describe()} and in configuration errors. The key-name rule
 * ({@link #looksSecret}) stays as a backstop for options added without being listed, and any value
 * resolved from Secrets Manager is treated as a secret whatever its key.
 */
public final class SecretOptions {

    private static final List<ConfigOption<?>> DECLARED = declared();

    private static final Set<String> KEYS = DECLARED.stream().map(ConfigOption::key).collect(Collectors.toSet());

    private SecretOptions() {}

    private static List<ConfigOption<?>> declared() {
        List<ConfigOption<?>> all = new ArrayList<>(CatalogOptions.secrets());
        all.add(PostgresCdcOptions.PASSWORD);
        all.add(MySqlCdcOptions.PASSWORD);
        all.add(KinesisBronzeOptions.SECRET_ACCESS_KEY);
        all.addAll(KafkaSecurityOptions.secrets());
        return List.copyOf(all);
    }

    /** Every declared secret option. */
    public static List<ConfigOption<?>> all() {
        return DECLARED;
    }

    /** Declared secret, or a key that looks like one. */
    public static boolean isSecret(String key) {
        return KEYS.contains(key) || looksSecret(key);
    }

    /**
     * The backstop: keys naming a password, secret, token, credential or JAAS configuration (the
     * service name in {@code secretsmanager.*} keys does not count).
     */
    static boolean looksSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT).replace("secretsmanager", "");
        return k.contains("password") || k.contains("secret") || k.contains("token") || k.contains("credential")
                || k.contains("jaas");
    }
}

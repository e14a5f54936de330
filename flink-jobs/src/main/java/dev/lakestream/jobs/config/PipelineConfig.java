package dev.lakestream.jobs.config;

import com.amazonaws.services.kinesisanalytics.runtime.KinesisAnalyticsRuntime;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.description.TextElement;
import org.apache.flink.util.TimeUtils;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads and validates the job configuration before anything starts.
 *
 * <p>Sources, all with the same dotted keys ({@code kafka.topics}, {@code catalog.type}, ...):
 *
 * <ul>
 *   <li>a local properties file ({@code --config path});
 *   <li>the Managed Service for Apache Flink runtime property groups: a property {@code topics}
 *       in group {@code kafka} is the key {@code kafka.topics}. A property that already starts
 *       with its group's name is taken as written.
 * </ul>
 *
 * <p>Every key must be a declared option and every value must parse; all problems are reported
 * together, each naming the key and what is allowed. Cross-field rules are checked by {@link
 * #check}.
 *
 * <p>A value of the form {@value SecretReference#FORM} is looked up in AWS Secrets Manager here,
 * before any value is parsed or checked ({@link SecretReference}). Resolved values live only in
 * {@link #configuration()}: {@link #describe()} prints the reference, and configuration errors
 * print neither resolved values nor the values of secret options ({@link SecretOptions}).
 */
public final class PipelineConfig {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineConfig.class);

    private static final String SECRET_MASK = "******";

    private static final int MIN_REDACTED_LENGTH = 4;

    private final Configuration configuration;
    /** As configured: secret references, not the values they resolve to. */
    private final Map<String, String> raw;
    private final Collection<ConfigOption<?>> options;
    private final Map<String, SecretReference> references;

    private PipelineConfig(Configuration configuration, Map<String, String> raw, Collection<ConfigOption<?>> options,
            Map<String, SecretReference> references) {
        this.configuration = configuration;
        this.raw = raw;
        this.options = options;
        this.references = references;
    }

    /** Reads a Java properties file. */
    public static PipelineConfig fromPropertiesFile(Path file, Collection<ConfigOption<?>> options) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            props.load(reader);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigurationException(List.of("configuration file " + file + " does not exist"));
        } catch (IOException e) {
            throw new InvalidConfigurationException(
                    List.of("configuration file " + file + " cannot be read: " + e.getMessage()));
        }
        Map<String, String> raw = new LinkedHashMap<>();
        props.stringPropertyNames().forEach(k -> raw.put(k.trim(), props.getProperty(k).trim()));
        return fromMap(raw, options);
    }

    /** Reads the MSF runtime property groups ({@code KinesisAnalyticsRuntime}). */
    public static PipelineConfig fromRuntimeProperties(Collection<ConfigOption<?>> options) {
        try {
            return fromPropertyGroups(KinesisAnalyticsRuntime.getApplicationProperties(), options);
        } catch (IOException e) {
            throw new InvalidConfigurationException(
                    List.of("MSF runtime properties cannot be read: " + e.getMessage()));
        }
    }

    /** Flattens property groups: group {@code g}, property {@code k} is the key {@code g.k}. */
    public static PipelineConfig fromPropertyGroups(
            Map<String, Properties> groups, Collection<ConfigOption<?>> options) {
        Map<String, String> raw = new LinkedHashMap<>();
        groups.forEach(
                (group, props) ->
                        props.stringPropertyNames()
                                .forEach(
                                        k -> {
                                            String key = k.startsWith(group + ".") ? k : group + "." + k;
                                            raw.put(key.trim(), props.getProperty(k).trim());
                                        }));
        return fromMap(raw, options);
    }

    /** Validates raw key/values against the declared options; secret references are read from AWS Secrets Manager. */
    public static PipelineConfig fromMap(Map<String, String> raw, Collection<ConfigOption<?>> options) {
        return fromMap(raw, options, SecretsManagerStore::new);
    }

    /**
     * Validates raw key/values against the declared options, resolving secret references through
     * the store {@code secretStores} makes of the configuration's plain values (for its region and
     * endpoint).
     */
    public static PipelineConfig fromMap(
            Map<String, String> raw, Collection<ConfigOption<?>> options, Function<ReadableConfig, SecretStore> secretStores) {
        Map<String, ConfigOption<?>> byKey =
                options.stream().collect(Collectors.toMap(ConfigOption::key, Function.identity(), (a, b) -> a, TreeMap::new));
        // A renamed option still reads its old key (a deprecated key of the option), with a warning.
        Map<String, ConfigOption<?>> byDeprecatedKey = new TreeMap<>();
        for (ConfigOption<?> option : options) {
            for (FallbackKey fallback : option.fallbackKeys()) {
                if (fallback.isDeprecated()) {
                    byDeprecatedKey.put(fallback.getKey(), option);
                }
            }
        }
        List<String> problems = new ArrayList<>();
        for (String key : raw.keySet()) {
            if (byDeprecatedKey.containsKey(key) && !byKey.containsKey(key)) {
                LOG.warn("Configuration key '{}' is deprecated: use '{}'", key, byDeprecatedKey.get(key).key());
            } else if (!byKey.containsKey(key)) {
                problems.add(unknownKey(key, byKey.keySet()));
            }
        }
        Map<String, SecretReference> references = new TreeMap<>();
        Map<String, String> plain = new LinkedHashMap<>();
        raw.forEach((key, value) -> {
            if (!SecretReference.isReference(value)) {
                plain.put(key, value);
            } else if (SecretsManagerOptions.all().stream().anyMatch(o -> o.key().equals(key))) {
                problems.add("key '" + key + "' cannot be a secret reference: it says where references are read from");
            } else {
                try {
                    references.put(key, SecretReference.parse(key, value));
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
            }
        });
        Map<String, String> resolved = new LinkedHashMap<>(raw);
        if (!references.isEmpty()) {
            resolved.putAll(resolve(references, Configuration.fromMap(plain), secretStores, problems));
        }
        Configuration configuration = Configuration.fromMap(resolved);
        for (ConfigOption<?> option : byKey.values()) {
            String key = raw.containsKey(option.key()) ? option.key()
                    : byDeprecatedKey.entrySet().stream().filter(e -> e.getValue() == option && raw.containsKey(e.getKey()))
                            .map(Map.Entry::getKey).findFirst().orElse(null);
            if (key == null) {
                continue;
            }
            try {
                configuration.get(option);
            } catch (IllegalArgumentException e) {
                String shown = references.containsKey(key) || !isSecret(key) ? raw.get(key) : SECRET_MASK;
                problems.add(invalidValue(option, shown, e));
            }
        }
        PipelineConfig config = new PipelineConfig(configuration, Map.copyOf(raw), List.copyOf(byKey.values()),
                Map.copyOf(references));
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(config.redacted(problems));
        }
        return config;
    }

    /** The values of {@code references}; a secret that cannot be read is a problem naming the key and the secret. */
    private static Map<String, String> resolve(Map<String, SecretReference> references, ReadableConfig plain,
            Function<ReadableConfig, SecretStore> secretStores, List<String> problems) {
        List<String> storeProblems = SecretsManagerOptions.problems(plain);
        if (!storeProblems.isEmpty()) {
            problems.addAll(storeProblems);
            return Map.of();
        }
        Map<String, String> values = new LinkedHashMap<>();
        try (SecretStore store = secretStores.apply(plain)) {
            references.forEach((key, reference) -> {
                try {
                    values.put(key, reference.resolve(store));
                } catch (SecretLookupException e) {
                    problems.add("key '" + key + "': secret '" + reference.secretId() + "' of " + reference
                            + " cannot be read: " + e.getMessage());
                }
            });
        }
        return values;
    }

    /** The validated configuration. */
    public Configuration configuration() {
        return configuration;
    }

    /**
     * Runs cross-field rules (each returns the problems it finds, e.g. a required key missing) and
     * throws one exception listing all of them.
     */
    @SafeVarargs
    public final PipelineConfig check(Function<Configuration, List<String>>... rules) {
        List<String> problems = new ArrayList<>();
        for (Function<Configuration, List<String>> rule : rules) {
            problems.addAll(rule.apply(configuration));
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(redacted(problems));
        }
        return this;
    }

    /**
     * Whether the value of {@code key} is never printed: a declared or secret-looking key ({@link
     * SecretOptions}), or a value read from Secrets Manager.
     */
    public boolean masks(String key) {
        return isSecret(key) || references.containsKey(key);
    }

    /**
     * {@code problems} with every masked value replaced by the mask: a backstop for rules that quote
     * values. Values shorter than {@value #MIN_REDACTED_LENGTH} characters are left alone, as replacing
     * them would garble key names and words of the messages.
     */
    private List<String> redacted(List<String> problems) {
        List<String> secrets = configuration.toMap().entrySet().stream()
                .filter(e -> masks(e.getKey()) && e.getValue() != null && e.getValue().length() >= MIN_REDACTED_LENGTH)
                // A reference that was not resolved names a secret; it holds none.
                .filter(e -> !SecretReference.isReference(e.getValue()))
                .map(Map.Entry::getValue)
                .sorted(Comparator.comparingInt(String::length).reversed())
                .collect(Collectors.toList());
        return problems.stream()
                .map(problem -> {
                    String text = problem;
                    for (String secret : secrets) {
                        text = text.replace(secret, SECRET_MASK);
                    }
                    return text;
                })
                .collect(Collectors.toList());
    }

    /** Effective values of every declared option, secrets masked: safe to log. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        options.stream()
                .sorted(Comparator.comparing(ConfigOption::key))
                .forEach(
                        option -> {
                            Object value = configuration.get(option);
                            SecretReference reference = references.get(option.key());
                            String shown =
                                    value == null
                                            ? "(unset)"
                                            : masks(option.key())
                                                    ? SECRET_MASK + (reference == null ? "" : " (" + reference + ")")
                                                    : value instanceof Duration
                                                            ? TimeUtils.formatWithHighestUnit((Duration) value)
                                                            : String.valueOf(value);
                            out.append("  ").append(option.key()).append(" = ").append(shown);
                            // Set under its key, a fallback or a deprecated (old) key: not the default.
                            if (!configuration.contains(option) && value != null) {
                                out.append(" (default)");
                            }
                            out.append('\n');
                        });
        return out.toString();
    }

    /** Keys whose values are never printed, wherever they come from ({@link SecretOptions}). */
    public static boolean isSecret(String key) {
        return SecretOptions.isSecret(key);
    }

    /** A problem text for a required key that is missing. */
    public static String missing(ConfigOption<?> option, String why) {
        return "'" + option.key() + "' is required" + (why.isEmpty() ? "" : " " + why) + ". " + descriptionText(option);
    }

    /** The plain-text description of an option (our options use plain text descriptions). */
    public static String descriptionText(ConfigOption<?> option) {
        return option.description().getBlocks().stream()
                .filter(TextElement.class::isInstance)
                .map(b -> ((TextElement) b).getFormat())
                .collect(Collectors.joining(" "));
    }

    private static String unknownKey(String key, Collection<String> known) {
        String closest =
                known.stream().min(Comparator.comparingInt(k -> distance(k, key))).orElse(null);
        StringBuilder text = new StringBuilder("unknown key '").append(key).append("'");
        if (closest != null && distance(closest, key) <= Math.max(3, key.length() / 4)) {
            text.append(": did you mean '").append(closest).append("'?");
        }
        text.append(" Known keys: ").append(String.join(", ", known));
        return text.toString();
    }

    private static String invalidValue(ConfigOption<?> option, String value, IllegalArgumentException e) {
        return "invalid value '" + value + "' for key '" + option.key() + "': allowed " + allowedValues(option, e);
    }

    /** What a key accepts, inferred from its default value and Flink's parse error. */
    static String allowedValues(ConfigOption<?> option, IllegalArgumentException parseError) {
        Object sample = option.hasDefaultValue() ? option.defaultValue() : null;
        if (sample instanceof Enum) {
            return "values are "
                    + Arrays.stream(((Enum<?>) sample).getDeclaringClass().getEnumConstants())
                            .map(c -> ((Enum<?>) c).toString())
                            .collect(Collectors.joining(", "));
        }
        if (sample instanceof Duration) {
            return "values are durations such as '30 s', '5 min', '2 h' or '500 ms'";
        }
        if (sample instanceof Boolean) {
            return "values are true or false";
        }
        if (sample instanceof Integer || sample instanceof Long) {
            return "values are whole numbers";
        }
        Throwable cause = parseError.getCause() != null ? parseError.getCause() : parseError;
        return "values: " + cause.getMessage() + ". " + descriptionText(option);
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}

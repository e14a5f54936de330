package dev.lakestream.deploy;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.w3c.dom.Document;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Facts about the repository the deployment files must agree with: versions, artifact names, Flink's option keys. */
final class Repo {

    static final Path ROOT = JobConfigs.ROOT;

    /** Flink option classes whose keys a flinkConfiguration / FLINK_PROPERTIES may use. */
    private static final List<String> FLINK_OPTION_CLASSES = List.of(
            "org.apache.flink.configuration.CheckpointingOptions",
            "org.apache.flink.configuration.StateBackendOptions",
            "org.apache.flink.configuration.StateRecoveryOptions",
            "org.apache.flink.configuration.RestartStrategyOptions",
            "org.apache.flink.configuration.HighAvailabilityOptions",
            "org.apache.flink.configuration.TaskManagerOptions",
            "org.apache.flink.configuration.JobManagerOptions",
            "org.apache.flink.configuration.CoreOptions",
            "org.apache.flink.configuration.PipelineOptions",
            "org.apache.flink.configuration.RestOptions",
            "org.apache.flink.streaming.api.environment.ExecutionCheckpointingOptions");

    /** Keys of the operator (not Flink options): its own documentation is the reference. */
    static final List<String> NON_FLINK_PREFIXES = List.of("kubernetes.operator.");

    /** Keys of Flink's S3 filesystem plugin (flink-s3-fs-hadoop maps them to Hadoop's fs.s3a.*), not ConfigOptions. */
    static final Set<String> S3_PLUGIN_KEYS = Set.of("s3.endpoint", "s3.path.style.access", "s3.access-key",
            "s3.secret-key", "s3.access.key", "s3.secret.key", "s3.endpoint.region", "s3.aws.credentials.provider");

    private Repo() {}

    /** A property of the parent pom, e.g. flink.version. */
    static String parentPomProperty(String name) {
        return xpathText(ROOT.resolve("pom.xml"), "properties", name);
    }

    /** The project version (the parent pom's). */
    static String projectVersion() {
        Document pom = parse(ROOT.resolve("pom.xml"));
        NodeList children = pom.getDocumentElement().getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            Node n = children.item(i);
            if ("version".equals(n.getNodeName())) {
                return n.getTextContent().trim();
            }
        }
        throw new IllegalStateException("pom.xml has no <version>");
    }

    /** The classifier of flink-jobs' application jar (its shade plugin's shadedClassifierName). */
    static String applicationJarClassifier() {
        NodeList nodes = parse(ROOT.resolve("flink-jobs/pom.xml")).getElementsByTagName("shadedClassifierName");
        if (nodes.getLength() != 1) {
            throw new IllegalStateException("flink-jobs/pom.xml: expected one shadedClassifierName, found " + nodes.getLength());
        }
        return nodes.item(0).getTextContent().trim();
    }

    /** The application jar Maven builds: flink-jobs/target/flink-jobs-<version>-<classifier>.jar. */
    static String applicationJarPath() {
        return "flink-jobs/target/flink-jobs-" + projectVersion() + "-" + applicationJarClassifier() + ".jar";
    }

    /** Every key (and fallback key) of Flink's option classes on the test classpath. */
    static Set<String> flinkOptionKeys() {
        Set<String> keys = new TreeSet<>();
        for (String className : FLINK_OPTION_CLASSES) {
            Class<?> type;
            try {
                type = Class.forName(className);
            } catch (ClassNotFoundException e) {
                continue; // A class of another Flink version; the keys of the others still count.
            }
            for (Field field : type.getFields()) {
                if (Modifier.isStatic(field.getModifiers()) && ConfigOption.class.isAssignableFrom(field.getType())) {
                    try {
                        ConfigOption<?> option = (ConfigOption<?>) field.get(null);
                        keys.add(option.key());
                        for (FallbackKey fallback : option.fallbackKeys()) {
                            keys.add(fallback.getKey());
                        }
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return keys;
    }

    /** Keys Flink (or the operator, or the S3 plugin) would not read: a typo is otherwise silently ignored. */
    static List<String> unknownFlinkKeys(Set<String> configured) {
        Set<String> known = flinkOptionKeys();
        return configured.stream()
                .filter(k -> !known.contains(k) && !S3_PLUGIN_KEYS.contains(k)
                        && NON_FLINK_PREFIXES.stream().noneMatch(k::startsWith))
                .sorted()
                .collect(Collectors.toList());
    }

    /** Every file under deploy/ (but build output) and docker-compose.yml with one of the extensions. */
    static List<Path> deployFiles(String... extensions) throws IOException {
        try (Stream<Path> files = Files.walk(ROOT.resolve("deploy"))) {
            Stream<Path> matching = files.filter(Files::isRegularFile)
                    .filter(p -> !ROOT.resolve("deploy").relativize(p).startsWith("target"))
                    .filter(p -> Stream.of(extensions).anyMatch(e -> p.getFileName().toString().endsWith("." + e)));
            List<Path> all = matching.sorted().collect(Collectors.toList());
            if (Stream.of(extensions).anyMatch(e -> e.equals("yml") || e.equals("yaml"))) {
                all.add(ROOT.resolve("docker-compose.yml"));
            }
            return all;
        }
    }

    private static String xpathText(Path pom, String parent, String name) {
        NodeList parents = parse(pom).getDocumentElement().getElementsByTagName(parent);
        for (int i = 0; i < parents.getLength(); i++) {
            NodeList children = parents.item(i).getChildNodes();
            for (int j = 0; j < children.getLength(); j++) {
                if (name.equals(children.item(j).getNodeName())) {
                    return children.item(j).getTextContent().trim();
                }
            }
        }
        throw new IllegalStateException(pom + " has no <" + parent + "><" + name + ">");
    }

    private static Document parse(Path xml) {
        try {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + xml + ": " + e.getMessage(), e);
        }
    }
}

package dev.lakestream.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.lakestream.deploy.CloudFormationTemplate.asList;
import static dev.lakestream.deploy.CloudFormationTemplate.asMap;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml, checked without Docker (none runs where this is built): pinned images of the
 * versions the build uses, the services and their order, ports, mounts, and the job's configuration.
 */
class DockerComposeTest {

    static final Path COMPOSE = Repo.ROOT.resolve("docker-compose.yml");
    static final Path PIPELINE = Repo.ROOT.resolve("deploy/docker/pipeline.properties");
    static final Path TRINO_CATALOG = Repo.ROOT.resolve("deploy/docker/trino/catalog/lakehouse.properties");
    private static final Set<String> REQUIRED = Set.of("kafka", "minio", "postgres", "iceberg-rest", "jobmanager", "taskmanager", "trino");
    private static final Set<String> CONDITIONS = Set.of("service_started", "service_healthy", "service_completed_successfully");
    private static final Pattern DEFAULTED = Pattern.compile("\\$\\{[A-Z_]+:-([^}]*)}");

    static List<String> problems(String composeText, String pipelineText) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> compose = asMap(Yaml.read(composeText, "docker-compose.yml"), "compose");
        Map<String, Object> services = asMap(compose.get("services"), "services");
        for (String required : new TreeSet<>(REQUIRED)) {
            if (!services.containsKey(required)) {
                problems.add("service " + required + " is missing");
            }
        }
        Map<String, String> hostPorts = new HashMap<>();
        services.forEach((name, body) -> {
            Map<String, Object> service = asMap(body, name);
            String image = String.valueOf(service.get("image"));
            if (!image.matches("[a-z0-9./_-]+:[A-Za-z0-9._-]+") || image.endsWith(":latest")) {
                problems.add(name + ": image " + image + " is not pinned to a tag");
            }
            Object dependsOn = service.get("depends_on");
            if (dependsOn instanceof List) {
                for (Object d : (List<?>) dependsOn) {
                    checkDependency(name, String.valueOf(d), "service_started", services, problems);
                }
            } else if (dependsOn instanceof Map) {
                asMap(dependsOn, name).forEach((d, c) -> checkDependency(name, d,
                        String.valueOf(asMap(c, name + ".depends_on").getOrDefault("condition", "service_started")), services, problems));
            }
            for (Object port : (List<?>) service.getOrDefault("ports", List.of())) {
                String[] parts = String.valueOf(port).split(":");
                String host = parts.length >= 2 ? parts[parts.length - 2] : parts[0];
                String previous = hostPorts.put(host, name);
                if (previous != null) {
                    problems.add("host port " + host + " is used by " + previous + " and " + name);
                }
            }
            for (Object volume : (List<?>) service.getOrDefault("volumes", List.of())) {
                String source = expandDefaults(String.valueOf(volume).split(":")[0]);
                if (source.startsWith("./") && !source.startsWith("./flink-jobs/target/")
                        && !Files.exists(Repo.ROOT.resolve(source.substring(2)))) {
                    problems.add(name + ": mounted file " + source + " does not exist");
                }
            }
        });
        if (!problems.isEmpty()) {
            return problems;
        }

        if (!String.valueOf(asMap(services.get("postgres"), "postgres").get("command")).contains("wal_level=logical")) {
            problems.add("postgres does not run with wal_level=logical");
        }
        String flinkImage = "flink:" + Repo.parentPomProperty("flink.version") + "-scala_2.12-java11";
        expectImage(services, "jobmanager", flinkImage, problems);
        expectImage(services, "taskmanager", flinkImage, problems);
        expectImage(services, "iceberg-rest", "apache/iceberg-rest-fixture:" + Repo.parentPomProperty("iceberg.version"), problems);
        expectImage(services, "trino", "trinodb/trino:" + Repo.parentPomProperty("trino.version"), problems);

        String jar = "./" + Repo.applicationJarPath() + ":/opt/flink/usrlib/";
        for (String flink : List.of("jobmanager", "taskmanager")) {
            Map<String, Object> service = asMap(services.get(flink), flink);
            if (((List<?>) service.getOrDefault("volumes", List.of())).stream()
                    .noneMatch(v -> expandDefaults(String.valueOf(v)).startsWith(jar))) {
                problems.add(flink + " does not mount " + jar + "...");
            }
            Object properties = asMap(service.get("environment"), flink + ".environment").get("FLINK_PROPERTIES");
            Set<String> keys = new TreeSet<>();
            for (String line : String.valueOf(properties).split("\n")) {
                if (line.contains(":")) {
                    keys.add(line.substring(0, line.indexOf(':')).trim());
                }
            }
            Repo.unknownFlinkKeys(keys).forEach(k -> problems.add(flink + ": FLINK_PROPERTIES key '" + k + "' is no Flink option"));
        }

        Map<String, Object> jobmanager = asMap(services.get("jobmanager"), "jobmanager");
        List<String> command = new ArrayList<>();
        asList(jobmanager.get("command"), "command").forEach(c -> command.add(String.valueOf(c)));
        int classIndex = command.indexOf("--job-classname") + 1;
        int configIndex = command.indexOf("--config") + 1;
        if (!"standalone-job".equals(command.get(0)) || classIndex == 0 || configIndex == 0) {
            problems.add("jobmanager command " + command + " is not standalone-job --job-classname <class> --config <file>");
        } else {
            try {
                Class.forName(command.get(classIndex));
            } catch (ClassNotFoundException e) {
                problems.add("jobmanager runs " + command.get(classIndex) + ", no class of the job");
            }
            String mount = "./deploy/docker/pipeline.properties:" + command.get(configIndex);
            if (((List<?>) jobmanager.get("volumes")).stream().noneMatch(v -> String.valueOf(v).startsWith(mount))) {
                problems.add("jobmanager does not mount deploy/docker/pipeline.properties at " + command.get(configIndex));
            }
        }

        JobConfigs.problemsOfProperties(pipelineText).forEach(p -> problems.add("pipeline.properties: " + p));
        Properties pipeline = load(pipelineText);
        if (!"REST".equals(pipeline.getProperty("catalog.type")) || !"true".equals(pipeline.getProperty("catalog.s3.path-style-access"))) {
            problems.add("pipeline.properties: catalog.type must be REST with catalog.s3.path-style-access=true");
        }
        checkEndpoint("catalog.uri", pipeline.getProperty("catalog.uri"), "iceberg-rest", services, problems);
        checkEndpoint("catalog.s3.endpoint", pipeline.getProperty("catalog.s3.endpoint"), "minio", services, problems);
        for (String server : String.valueOf(pipeline.getProperty("kafka.bootstrap-servers")).split(",")) {
            checkEndpoint("kafka.bootstrap-servers", "kafka://" + server, "kafka", services, problems);
        }
        if (pipeline.getProperty("cdc.postgres.hostname") != null && !"postgres".equals(pipeline.getProperty("cdc.postgres.hostname"))) {
            problems.add("cdc.postgres.hostname is not the postgres service");
        }
        return problems;
    }

    private static void checkDependency(String service, String dependency, String condition,
                                        Map<String, Object> services, List<String> problems) {
        if (!services.containsKey(dependency)) {
            problems.add(service + " depends on " + dependency + ", which is no service");
            return;
        }
        if (!CONDITIONS.contains(condition)) {
            problems.add(service + ": depends_on condition " + condition + " is not one of " + CONDITIONS);
        }
        if ("service_healthy".equals(condition) && !asMap(services.get(dependency), dependency).containsKey("healthcheck")) {
            problems.add(service + " waits for " + dependency + " to be healthy, but it has no healthcheck");
        }
    }

    private static void expectImage(Map<String, Object> services, String service, String image, List<String> problems) {
        Object actual = asMap(services.get(service), service).get("image");
        if (!image.equals(actual)) {
            problems.add(service + " runs " + actual + ", expected " + image + " (the versions in pom.xml)");
        }
    }

    /** The URI's host must be the service, and its port one the service listens on inside the network. */
    private static void checkEndpoint(String key, String uri, String service, Map<String, Object> services, List<String> problems) {
        URI parsed = URI.create(String.valueOf(uri));
        if (!service.equals(parsed.getHost())) {
            problems.add(key + "=" + uri + " does not point at the " + service + " service");
            return;
        }
        String text = services.get(service).toString();
        if (parsed.getPort() > 0 && !text.contains(":" + parsed.getPort()) && !text.contains(parsed.getPort() + ":")) {
            problems.add(key + "=" + uri + ": " + service + " does not listen on " + parsed.getPort());
        }
    }

    private static String expandDefaults(String text) {
        Matcher m = DEFAULTED.matcher(text);
        return m.replaceAll(r -> Matcher.quoteReplacement(r.group(1)));
    }

    private static Properties load(String text) {
        Properties props = new Properties();
        try {
            props.load(new StringReader(text));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
        return props;
    }

    @Test
    void theStackIsCompletePinnedAndConsistentWithTheBuild() throws IOException {
        assertThat(problems(Files.readString(COMPOSE), Files.readString(PIPELINE))).isEmpty();
    }

    @Test
    void mistakesAreReported() throws IOException {
        String compose = Files.readString(COMPOSE)
                .replace("image: trinodb/trino:476", "image: trinodb/trino:latest")
                .replace("image: minio/mc:RELEASE.2025-04-16T18-13-26Z", "image: minio/mc")
                .replace("      minio:\n        condition: service_healthy", "      minios:\n        condition: service_healthy")
                .replace("\"8181:8181\"", "\"8080:8181\"");
        assertThat(String.join("\n", problems(compose, Files.readString(PIPELINE)))).contains(
                "trino: image trinodb/trino:latest is not pinned", "minio-buckets: image minio/mc is not pinned",
                "depends on minios, which is no service", "host port 8080 is used by");

        String versions = Files.readString(COMPOSE)
                .replace("flink:1.20.3-scala_2.12-java11", "flink:1.19.1-scala_2.12-java11")
                .replace("flink-jobs-0.1.0-SNAPSHOT-application.jar", "flink-jobs-0.1.0-SNAPSHOT.jar")
                .replace("\"wal_level=logical\"", "\"wal_level=replica\"")
                .replace("    s3.path.style.access: true\n", "    s3.path.style.acess: true\n");
        assertThat(String.join("\n", problems(versions, Files.readString(PIPELINE)))).contains(
                "jobmanager runs flink:1.19.1", "does not mount ./flink-jobs/target/flink-jobs-", "wal_level=logical",
                "FLINK_PROPERTIES key 's3.path.style.acess'");

        String pipeline = Files.readString(PIPELINE)
                .replace("catalog.uri=http://iceberg-rest:8181", "catalog.uri=http://localhost:8181")
                .replace("kafka.bootstrap-servers=kafka:29092", "kafka.bootstrap-servers=kafka:9094")
                .replace("kafka.group-id=", "kafka.groupid=");
        assertThat(String.join("\n", problems(Files.readString(COMPOSE), pipeline))).contains(
                "unknown key 'kafka.groupid'", "catalog.uri=http://localhost:8181 does not point at the iceberg-rest service",
                "kafka does not listen on 9094");
    }

    @Test
    void trinoReadsTheRestCatalogAndMinio() throws IOException {
        Properties catalog = load(Files.readString(TRINO_CATALOG));
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("connector.name", "iceberg");
        expected.put("iceberg.catalog.type", "rest");
        expected.put("iceberg.rest-catalog.uri", load(Files.readString(PIPELINE)).getProperty("catalog.uri"));
        expected.put("s3.endpoint", load(Files.readString(PIPELINE)).getProperty("catalog.s3.endpoint"));
        expected.put("s3.path-style-access", "true");
        expected.put("iceberg.security", "read_only");

        expected.forEach((k, v) -> assertThat(catalog.getProperty(k)).as(k).isEqualTo(v));
    }
}

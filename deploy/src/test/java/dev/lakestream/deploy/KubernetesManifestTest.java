package dev.lakestream.deploy;

import dev.lakestream.jobs.config.PipelineConfig;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.io.StringReader;

import static dev.lakestream.deploy.CloudFormationTemplate.asList;
import static dev.lakestream.deploy.CloudFormationTemplate.asMap;
import static org.assertj.core.api.Assertions.assertThat;

/** deploy/kubernetes: the FlinkDeployment, its ConfigMap and the image it runs. */
class KubernetesManifestTest {

    static final Path MANIFEST = Repo.ROOT.resolve("deploy/kubernetes/flink-deployment.yaml");
    static final Path DOCKERFILE = Repo.ROOT.resolve("deploy/kubernetes/Dockerfile");

    static List<Object> documents(String text) {
        return Yaml.readAll(text, "flink-deployment.yaml");
    }

    static Map<String, Object> ofKind(List<Object> documents, String kind) {
        return documents.stream().map(d -> asMap(d, "document")).filter(d -> kind.equals(d.get("kind")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " in the manifest"));
    }

    /** Problems of a manifest text: what the operator, Flink or the job would reject or ignore. */
    static List<String> problems(String text) throws IOException {
        List<String> problems = new ArrayList<>();
        List<Object> documents = documents(text);
        Map<String, Object> deployment = ofKind(documents, "FlinkDeployment");
        Map<String, Object> spec = asMap(deployment.get("spec"), "spec");
        String flinkVersion = Repo.parentPomProperty("flink.version");
        String[] v = flinkVersion.split("\\.");
        if (!("flink.apache.org/v1beta1").equals(deployment.get("apiVersion"))) {
            problems.add("apiVersion " + deployment.get("apiVersion") + " is not flink.apache.org/v1beta1");
        }
        if (!("v" + v[0] + "_" + v[1]).equals(spec.get("flinkVersion"))) {
            problems.add("flinkVersion " + spec.get("flinkVersion") + " does not match flink.version " + flinkVersion);
        }
        String image = String.valueOf(spec.get("image"));
        if (!image.matches(".+:[A-Za-z0-9._-]+") || image.endsWith(":latest")) {
            problems.add("image " + image + " is not pinned to a tag");
        }
        Map<String, Object> job = asMap(spec.get("job"), "job");
        if (!"savepoint".equals(job.get("upgradeMode"))) {
            problems.add("upgradeMode " + job.get("upgradeMode") + " is not savepoint");
        }
        try {
            Class.forName(String.valueOf(job.get("entryClass")));
        } catch (ClassNotFoundException e) {
            problems.add("entryClass " + job.get("entryClass") + " is not a class of the job");
        }
        Map<String, String> flink = new java.util.TreeMap<>();
        asMap(spec.get("flinkConfiguration"), "flinkConfiguration").forEach((k, val) -> flink.put(k, String.valueOf(val)));
        for (String key : List.of("state.savepoints.dir", "state.checkpoints.dir")) {
            if (!flink.getOrDefault(key, "").startsWith("s3://")) {
                problems.add(key + " is not on S3: " + flink.get(key));
            }
        }
        if (!"rocksdb".equals(flink.get("state.backend.type")) || !"true".equals(flink.get("state.backend.incremental"))) {
            problems.add("state backend is not RocksDB with incremental checkpoints");
        }
        if (!flink.containsKey("restart-strategy.type") || !flink.containsKey("execution.checkpointing.interval")) {
            problems.add("restart strategy or checkpoint interval missing");
        }
        Repo.unknownFlinkKeys(flink.keySet()).forEach(k -> problems.add("flinkConfiguration key '" + k + "' is no Flink option"));

        // args: --config <file> where <file> is a key of the mounted ConfigMap.
        List<?> args = asList(job.get("args"), "args");
        String configPath = args.size() == 2 && "--config".equals(args.get(0)) ? String.valueOf(args.get(1)) : "";
        Map<String, Object> configMap = ofKind(documents, "ConfigMap");
        String mountedName = String.valueOf(asMap(configMap.get("metadata"), "metadata").get("name"));
        Map<String, Object> podSpec = asMap(asMap(spec.get("podTemplate"), "podTemplate").get("spec"), "pod spec");
        String mountPath = null;
        for (Object c : asList(podSpec.get("containers"), "containers")) {
            for (Object m : asList(asMap(c, "container").getOrDefault("volumeMounts", List.of()), "volumeMounts")) {
                String volume = String.valueOf(asMap(m, "mount").get("name"));
                for (Object vol : asList(podSpec.get("volumes"), "volumes")) {
                    Map<String, Object> volumeMap = asMap(vol, "volume");
                    Object cm = volumeMap.get("configMap");
                    if (volume.equals(volumeMap.get("name")) && cm != null && mountedName.equals(asMap(cm, "cm").get("name"))) {
                        mountPath = String.valueOf(asMap(m, "mount").get("mountPath"));
                    }
                }
            }
        }
        Map<String, Object> data = asMap(configMap.get("data"), "data");
        if (mountPath == null || !data.containsKey(configPath.substring(configPath.lastIndexOf('/') + 1))
                || !configPath.equals(mountPath + "/" + configPath.substring(configPath.lastIndexOf('/') + 1))) {
            problems.add("job args " + args + " do not name a file of ConfigMap " + mountedName + " as mounted (" + mountPath + ")");
        }
        for (Object properties : data.values()) {
            JobConfigs.problemsOfProperties(String.valueOf(properties)).forEach(p -> problems.add("ConfigMap: " + p));
            Properties props = new Properties();
            props.load(new StringReader(String.valueOf(properties)));
            props.stringPropertyNames().stream().filter(PipelineConfig::isSecret)
                    .forEach(k -> problems.add("ConfigMap holds secret key " + k + ": put it in a Secret"));
        }
        if (documents.stream().map(d -> asMap(d, "d")).anyMatch(d -> "Secret".equals(d.get("kind")))) {
            problems.add("a Secret is written in the manifest: credentials are created outside it");
        }
        return problems;
    }

    @Test
    void theFlinkDeploymentIsCompleteAndItsConfigurationIsAcceptedByTheJob() throws IOException {
        assertThat(problems(Files.readString(MANIFEST))).isEmpty();
    }

    @Test
    void mistakesAreReported() throws IOException {
        String broken = Files.readString(MANIFEST)
                .replace("flinkVersion: v1_20", "flinkVersion: v1_19")
                .replace("image: registry.example.com/lakestream:0.1.0", "image: registry.example.com/lakestream:latest")
                .replace("upgradeMode: savepoint", "upgradeMode: stateless")
                .replace("state.backend.incremental: \"true\"", "state.backend.incremental: \"true\"\n    state.backend.incremantal: \"true\"")
                .replace("    kafka.group-id=lakestream-bronze", "    kafka.group.id=lakestream-bronze\n    cdc.postgres.password=x")
                .replace("--config\", \"/opt/lakestream/pipeline.properties", "--config\", \"/opt/lakestream/job.properties");

        assertThat(String.join("\n", problems(broken))).contains("flinkVersion v1_19", "lakestream:latest is not pinned",
                "upgradeMode stateless", "'state.backend.incremantal' is no Flink option", "unknown key 'kafka.group.id'",
                "secret key cdc.postgres.password", "job args");
    }

    @Test
    void credentialsComeFromASecretReferenceOnly() throws IOException {
        Map<String, Object> spec = asMap(ofKind(documents(Files.readString(MANIFEST)), "FlinkDeployment").get("spec"), "spec");
        Object container = asList(asMap(asMap(spec.get("podTemplate"), "t").get("spec"), "s").get("containers"), "c").get(0);

        assertThat(asMap(container, "container").get("envFrom").toString()).contains("secretRef", "name=lakestream-credentials");
        assertThat(asMap(container, "container")).doesNotContainKey("env");
    }

    @Test
    void theImageIsTheFlinkVersionWeBuildAgainstWithTheJarWhereTheJobLooksForIt() throws IOException {
        String flinkVersion = Repo.parentPomProperty("flink.version");
        String dockerfile = Files.readString(DOCKERFILE);
        Map<String, Object> job = asMap(asMap(ofKind(documents(Files.readString(MANIFEST)), "FlinkDeployment").get("spec"), "spec").get("job"), "job");

        assertThat(dockerfile).contains("FROM flink:" + flinkVersion + "-scala_2.12-java11",
                "flink-s3-fs-hadoop-" + flinkVersion + ".jar", "/opt/flink/usrlib/lakestream.jar");
        assertThat(job.get("jarURI")).isEqualTo("local:///opt/flink/usrlib/lakestream.jar");
        assertThat(dockerfile).contains(Repo.applicationJarPath());
    }
}

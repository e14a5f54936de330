package dev.lakestream.jobs.config;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP server that answers {@code GetSecretValue} as AWS Secrets Manager does (JSON 1.1
 * protocol: {@code POST /}, {@code X-Amz-Target: secretsmanager.GetSecretValue}), so that the real SDK
 * client is tested through its endpoint override. Signatures are not checked.
 */
final class FakeSecretsManager implements AutoCloseable {

    static final String REGION = "eu-west-1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final Set<String> denied = ConcurrentHashMap.newKeySet();
    private final List<String> requested = new CopyOnWriteArrayList<>();

    FakeSecretsManager() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    FakeSecretsManager put(String name, String secretString) {
        secrets.put(name, secretString);
        return this;
    }

    /** Requests for this secret are answered with AccessDeniedException. */
    FakeSecretsManager deny(String name) {
        denied.add(name);
        return this;
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** SecretIds requested, in order. */
    List<String> requested() {
        return List.copyOf(requested);
    }

    /** The configuration keys that point references at this server. */
    Map<String, String> clientOptions() {
        return Map.of(SecretsManagerOptions.REGION.key(), REGION, SecretsManagerOptions.ENDPOINT.key(), endpoint());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            if (!"POST".equals(exchange.getRequestMethod()) || !"secretsmanager.GetSecretValue".equals(target)) {
                respond(exchange, 400, error("UnknownOperationException", "unsupported: " + target));
                return;
            }
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            String id = request.path("SecretId").asText();
            requested.add(id);
            String name = id.startsWith("arn:") ? id.substring(id.lastIndexOf(':') + 1) : id;
            if (denied.contains(name)) {
                respond(exchange, 400, error("AccessDeniedException", "User is not authorized to perform"
                        + " secretsmanager:GetSecretValue on resource " + id));
            } else if (!secrets.containsKey(name)) {
                respond(exchange, 400, error("ResourceNotFoundException", "Secrets Manager can't find the specified secret."));
            } else {
                ObjectNode body = JSON.createObjectNode();
                body.put("ARN", "arn:aws:secretsmanager:" + REGION + ":123456789012:secret:" + name);
                body.put("Name", name);
                body.put("SecretString", secrets.get(name));
                body.put("VersionId", "v1");
                body.putArray("VersionStages").add("AWSCURRENT");
                body.put("CreatedDate", 1.7e9);
                respond(exchange, 200, body.toString());
            }
        }
    }

    private static String error(String type, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("__type", type);
        body.put("message", message);
        return body.toString();
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.getResponseHeaders().set("x-amzn-RequestId", "fake-" + System.nanoTime());
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

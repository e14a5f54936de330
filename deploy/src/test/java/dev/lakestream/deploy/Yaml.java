package dev.lakestream.deploy;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads YAML (and JSON, which is YAML) into plain maps, lists and strings, keeping CloudFormation's
 * short-form tags: {@code !Ref x} becomes {@code {Ref: x}}, {@code !GetAtt a.b} becomes
 * {@code {Fn::GetAtt: [a, b]}} and any other {@code !Name v} becomes {@code {Fn::Name: v}}, the
 * long form CloudFormation itself uses. Nodes are composed, not constructed, so an unknown tag is
 * never an error and JSON templates and YAML templates read the same.
 */
final class Yaml {

    private Yaml() {}

    /** Every document of a file. Scalars are strings (null for YAML null); a duplicate key fails. */
    static List<Object> readAll(Path file) throws IOException {
        return readAll(Files.readString(file), file.toString());
    }

    static List<Object> readAll(String text, String label) {
        LoadSettings settings = LoadSettings.builder().setLabel(label).setAllowDuplicateKeys(false).build();
        Composer composer = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text)));
        List<Object> documents = new ArrayList<>();
        while (composer.hasNext()) {
            documents.add(convert(composer.next(), label));
        }
        return documents;
    }

    /** A file holding exactly one document. */
    static Object read(Path file) throws IOException {
        List<Object> documents = readAll(file);
        if (documents.size() != 1) {
            throw new IllegalArgumentException(file + " holds " + documents.size() + " YAML documents, expected 1");
        }
        return documents.get(0);
    }

    static Object read(String text, String label) {
        List<Object> documents = readAll(text, label);
        if (documents.size() != 1) {
            throw new IllegalArgumentException(label + " holds " + documents.size() + " YAML documents, expected 1");
        }
        return documents.get(0);
    }

    private static Object convert(Node node, String label) {
        Object plain;
        if (node instanceof ScalarNode) {
            plain = Tag.NULL.equals(node.getTag()) ? null : ((ScalarNode) node).getValue();
        } else if (node instanceof SequenceNode) {
            List<Object> list = new ArrayList<>();
            for (Node item : ((SequenceNode) node).getValue()) {
                list.add(convert(item, label));
            }
            plain = list;
        } else if (node instanceof MappingNode) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (NodeTuple tuple : ((MappingNode) node).getValue()) {
                Object key = convert(tuple.getKeyNode(), label);
                if (map.containsKey(String.valueOf(key))) {
                    throw new IllegalArgumentException(label + ": duplicate key '" + key + "' at " + tuple.getKeyNode().getStartMark());
                }
                map.put(String.valueOf(key), convert(tuple.getValueNode(), label));
            }
            plain = map;
        } else {
            throw new IllegalArgumentException(label + ": unexpected YAML node " + node);
        }
        String tag = node.getTag().getValue();
        if (!tag.startsWith("!")) {
            return plain;
        }
        String name = tag.substring(1);
        if (name.equals("Ref") || name.equals("Condition")) {
            return Map.of(name, plain);
        }
        if (name.equals("GetAtt") && plain instanceof String) {
            String text = (String) plain;
            int dot = text.indexOf('.');
            if (dot < 0) {
                throw new IllegalArgumentException(label + ": !GetAtt " + text + " needs Resource.Attribute, at " + node.getStartMark());
            }
            return Map.of("Fn::GetAtt", List.of(text.substring(0, dot), text.substring(dot + 1)));
        }
        return Map.of("Fn::" + name, plain);
    }
}

package dev.lakestream.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Static checks of a CloudFormation template (references, IAM least privilege) and an evaluator
 * of its intrinsic functions for sample parameter values, enough to read what the MSF application
 * is given. Not a CloudFormation implementation: only the functions this project's template uses
 * are evaluated, and an unknown one fails loudly.
 */
final class CloudFormationTemplate {

    static final Set<String> PSEUDO_PARAMETERS = Set.of("AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue",
            "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix");

    /** Services holding data: their Allow statements must name every action and scope resources. */
    static final Set<String> DATA_SERVICES = Set.of("s3", "glue", "kinesis", "kafka-cluster", "secretsmanager", "kms");

    private static final Set<String> POLICY_TYPES = Set.of("AWS::IAM::Role", "AWS::IAM::Policy",
            "AWS::IAM::ManagedPolicy", "AWS::S3::BucketPolicy");
    private static final Pattern EXPLICIT_ACTION = Pattern.compile("[a-z0-9-]+:[A-Za-z0-9]+");
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}!][^}]*)}");
    private static final Object NO_VALUE = new Object() {
        @Override
        public String toString() {
            return "AWS::NoValue";
        }
    };

    private final Map<String, Object> template;

    CloudFormationTemplate(Object parsed) {
        this.template = asMap(parsed, "template");
    }

    Map<String, Object> parameters() {
        return section("Parameters");
    }

    Map<String, Object> resources() {
        return section("Resources");
    }

    Map<String, Object> conditions() {
        return section("Conditions");
    }

    Map<String, Object> resource(String logicalId) {
        return asMap(resources().get(logicalId), "resource " + logicalId);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> section(String name) {
        Object section = template.get(name);
        return section == null ? Map.of() : (Map<String, Object>) section;
    }

    // ---------------------------------------------------------------- references

    /** Every Ref, GetAtt, Sub variable and condition name that names nothing declared. */
    List<String> unresolvedReferences() {
        List<String> problems = new ArrayList<>();
        for (String section : List.of("Conditions", "Resources", "Outputs")) {
            walkReferences(template.get(section), section, Set.of(), problems);
        }
        resources().forEach((id, body) -> {
            Object condition = asMap(body, id).get("Condition");
            if (condition != null && !conditions().containsKey(String.valueOf(condition))) {
                problems.add("Resources." + id + ": Condition '" + condition + "' is not declared");
            }
        });
        return problems;
    }

    private void walkReferences(Object node, String path, Set<String> subLocals, List<String> problems) {
        if (node instanceof List) {
            List<?> list = (List<?>) node;
            for (int i = 0; i < list.size(); i++) {
                walkReferences(list.get(i), path + "[" + i + "]", subLocals, problems);
            }
            return;
        }
        if (!(node instanceof Map)) {
            return;
        }
        Map<?, ?> map = (Map<?, ?>) node;
        if (map.size() == 1) {
            String fn = String.valueOf(map.keySet().iterator().next());
            Object arg = map.values().iterator().next();
            switch (fn) {
                case "Ref":
                    String target = String.valueOf(arg);
                    if (!parameters().containsKey(target) && !resources().containsKey(target)
                            && !PSEUDO_PARAMETERS.contains(target)) {
                        problems.add(path + ": Ref '" + target + "' names no parameter, resource or pseudo parameter");
                    }
                    return;
                case "Fn::GetAtt":
                    List<?> att = asList(arg, path);
                    if (!resources().containsKey(String.valueOf(att.get(0)))) {
                        problems.add(path + ": GetAtt '" + att.get(0) + "' names no resource");
                    }
                    return;
                case "Condition":
                    if (!conditions().containsKey(String.valueOf(arg))) {
                        problems.add(path + ": Condition '" + arg + "' is not declared");
                    }
                    return;
                case "Fn::If":
                    List<?> branches = asList(arg, path);
                    if (!conditions().containsKey(String.valueOf(branches.get(0)))) {
                        problems.add(path + ": Fn::If condition '" + branches.get(0) + "' is not declared");
                    }
                    walkReferences(branches.subList(1, branches.size()), path + ".Fn::If", subLocals, problems);
                    return;
                case "Fn::Sub":
                    String text;
                    Set<String> locals = new java.util.HashSet<>(subLocals);
                    if (arg instanceof List) {
                        List<?> sub = (List<?>) arg;
                        text = String.valueOf(sub.get(0));
                        Map<String, Object> variables = asMap(sub.get(1), path);
                        locals.addAll(variables.keySet());
                        walkReferences(variables, path + ".Fn::Sub", subLocals, problems);
                    } else {
                        text = String.valueOf(arg);
                    }
                    Matcher m = SUB_VARIABLE.matcher(text);
                    while (m.find()) {
                        String variable = m.group(1);
                        String name = variable.contains(".") && !variable.startsWith("AWS::")
                                ? variable.substring(0, variable.indexOf('.')) : variable;
                        boolean attribute = variable.contains(".") && !variable.startsWith("AWS::");
                        boolean known = locals.contains(variable) || PSEUDO_PARAMETERS.contains(name)
                                || resources().containsKey(name) || (!attribute && parameters().containsKey(name));
                        if (!known) {
                            problems.add(path + ": Fn::Sub variable '${" + variable + "}' names no parameter, resource or pseudo parameter");
                        }
                    }
                    return;
                default:
                    break;
            }
        }
        map.forEach((k, v) -> walkReferences(v, path + "." + k, subLocals, problems));
    }

    // ---------------------------------------------------------------- IAM

    /**
     * Allow statements that grant wildcard or pattern actions on data services, that use NotAction,
     * or whose data-service resources are {@code "*"}. Both branches of a conditional statement are
     * checked. Deny statements may use wildcards: denying more only takes privilege away.
     */
    List<String> leastPrivilegeProblems() {
        List<String> problems = new ArrayList<>();
        resources().forEach((id, body) -> {
            Map<String, Object> resource = asMap(body, id);
            if (!POLICY_TYPES.contains(String.valueOf(resource.get("Type")))) {
                return;
            }
            Map<String, Object> properties = asMap(resource.get("Properties"), id + ".Properties");
            List<Map<String, Object>> statements = new ArrayList<>();
            collectStatements(properties.get("PolicyDocument"), statements);
            Object policies = properties.get("Policies");
            if (policies instanceof List) {
                for (Object policy : (List<?>) policies) {
                    collectStatements(asMap(policy, id + ".Policies").get("PolicyDocument"), statements);
                }
            }
            for (Map<String, Object> statement : statements) {
                checkStatement(id, statement, problems);
            }
        });
        return problems;
    }

    private static void collectStatements(Object document, List<Map<String, Object>> into) {
        if (!(document instanceof Map)) {
            return;
        }
        Object statement = ((Map<?, ?>) document).get("Statement");
        for (Object item : statement instanceof List ? (List<?>) statement : List.of(statement)) {
            collectStatementBranches(item, into);
        }
    }

    private static void collectStatementBranches(Object item, List<Map<String, Object>> into) {
        Map<String, Object> map = asMap(item, "Statement");
        if (map.containsKey("Fn::If")) {
            List<?> branches = asList(map.get("Fn::If"), "Fn::If");
            for (Object branch : branches.subList(1, branches.size())) {
                if (branch instanceof Map && !isNoValue(branch)) {
                    collectStatementBranches(branch, into);
                }
            }
        } else {
            into.add(map);
        }
    }

    private static boolean isNoValue(Object node) {
        return node instanceof Map && "AWS::NoValue".equals(((Map<?, ?>) node).get("Ref"));
    }

    private static void checkStatement(String resourceId, Map<String, Object> statement, List<String> problems) {
        String where = resourceId + " statement " + statement.getOrDefault("Sid", "(no Sid)");
        if (!"Allow".equals(statement.get("Effect"))) {
            return;
        }
        if (statement.containsKey("NotAction")) {
            problems.add(where + ": NotAction in an Allow statement grants everything else");
        }
        Object actionNode = statement.get("Action");
        List<?> actions = actionNode instanceof List ? (List<?>) actionNode : List.of(String.valueOf(actionNode));
        boolean touchesData = false;
        for (Object a : actions) {
            String action = String.valueOf(a);
            String service = action.contains(":") ? action.substring(0, action.indexOf(':')).toLowerCase() : action;
            boolean data = DATA_SERVICES.contains(service) || action.equals("*");
            touchesData |= data;
            if (data && !EXPLICIT_ACTION.matcher(action).matches()) {
                problems.add(where + ": action '" + action + "' is not one explicit action (no '*' or patterns on "
                        + DATA_SERVICES + ")");
            }
        }
        if (touchesData) {
            Object resourceNode = statement.get("Resource");
            List<?> resources = resourceNode instanceof List ? (List<?>) resourceNode : java.util.Collections.singletonList(resourceNode);
            for (Object r : resources) {
                if (r == null || "*".equals(r)) {
                    problems.add(where + ": resource '" + r + "' of a data-service statement must name its bucket, "
                            + "databases, streams, cluster, secret or key");
                }
            }
        }
    }

    // ---------------------------------------------------------------- evaluation

    /**
     * Evaluates a node for the given parameter values (missing ones take their Default). Refs to
     * resources become a lowercase sample name, GetAtt an ARN-like sample; NoValue entries vanish.
     */
    Object evaluate(Object node, Map<String, String> parameterValues) {
        Map<String, Object> values = new LinkedHashMap<>();
        parameters().forEach((name, body) -> {
            Map<String, Object> p = asMap(body, name);
            String value = parameterValues.containsKey(name) ? parameterValues.get(name)
                    : p.containsKey("Default") ? String.valueOf(p.get("Default")) : null;
            if (value == null) {
                throw new IllegalArgumentException("parameter " + name + " has no default: give it a sample value");
            }
            values.put(name, String.valueOf(p.get("Type")).startsWith("CommaDelimitedList")
                    || String.valueOf(p.get("Type")).startsWith("List<") ? List.of(value.split(",", -1)) : value);
        });
        parameterValues.keySet().forEach(k -> {
            if (!values.containsKey(k)) {
                throw new IllegalArgumentException("sample value for undeclared parameter " + k);
            }
        });
        return eval(node, values);
    }

    boolean condition(String name, Map<String, String> parameterValues) {
        return (Boolean) evaluate(Map.of("Condition", name), parameterValues);
    }

    private Object eval(Object node, Map<String, Object> params) {
        if (node instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object item : (List<?>) node) {
                Object v = eval(item, params);
                if (v != NO_VALUE) {
                    out.add(v);
                }
            }
            return out;
        }
        if (!(node instanceof Map)) {
            return node;
        }
        Map<?, ?> map = (Map<?, ?>) node;
        if (map.size() == 1) {
            String fn = String.valueOf(map.keySet().iterator().next());
            Object arg = map.values().iterator().next();
            switch (fn) {
                case "Ref":
                    return ref(String.valueOf(arg), params);
                case "Condition":
                    Object body = conditions().get(String.valueOf(arg));
                    if (body == null) {
                        throw new IllegalArgumentException("condition " + arg + " is not declared");
                    }
                    return eval(body, params);
                case "Fn::If":
                    List<?> branches = asList(arg, fn);
                    boolean chosen = (Boolean) eval(Map.of("Condition", branches.get(0)), params);
                    return eval(branches.get(chosen ? 1 : 2), params);
                case "Fn::Equals":
                    List<?> pair = asList(arg, fn);
                    return String.valueOf(eval(pair.get(0), params)).equals(String.valueOf(eval(pair.get(1), params)));
                case "Fn::Not":
                    return !(Boolean) eval(asList(arg, fn).get(0), params);
                case "Fn::And":
                    return asList(arg, fn).stream().allMatch(c -> (Boolean) eval(c, params));
                case "Fn::Or":
                    return asList(arg, fn).stream().anyMatch(c -> (Boolean) eval(c, params));
                case "Fn::Join":
                    List<?> join = asList(arg, fn);
                    List<?> parts = asList(eval(join.get(1), params), fn);
                    StringBuilder joined = new StringBuilder();
                    for (int i = 0; i < parts.size(); i++) {
                        joined.append(i == 0 ? "" : String.valueOf(join.get(0))).append(parts.get(i));
                    }
                    return joined.toString();
                case "Fn::Split":
                    List<?> split = asList(arg, fn);
                    return List.of(String.valueOf(eval(split.get(1), params)).split(Pattern.quote(String.valueOf(split.get(0))), -1));
                case "Fn::Select":
                    List<?> select = asList(arg, fn);
                    return asList(eval(select.get(1), params), fn).get(Integer.parseInt(String.valueOf(eval(select.get(0), params))));
                case "Fn::GetAtt":
                    List<?> att = asList(arg, fn);
                    return "arn:aws:sample:us-east-1:123456789012:" + att.get(0) + "/" + att.get(1);
                case "Fn::Sub":
                    return sub(arg, params);
                default:
                    if (fn.startsWith("Fn::")) {
                        throw new UnsupportedOperationException("intrinsic " + fn + " is not evaluated by this test helper");
                    }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            Object value = eval(v, params);
            if (value != NO_VALUE) {
                out.put(String.valueOf(k), value);
            }
        });
        return out;
    }

    private Object ref(String name, Map<String, Object> params) {
        switch (name) {
            case "AWS::NoValue":
                return NO_VALUE;
            case "AWS::Region":
                return "us-east-1";
            case "AWS::AccountId":
                return "123456789012";
            case "AWS::Partition":
                return "aws";
            case "AWS::StackName":
                return "lakestream";
            case "AWS::URLSuffix":
                return "amazonaws.com";
            default:
                if (params.containsKey(name)) {
                    return params.get(name);
                }
                if (resources().containsKey(name)) {
                    return name.toLowerCase();
                }
                throw new IllegalArgumentException("Ref " + name + " names nothing");
        }
    }

    private Object sub(Object arg, Map<String, Object> params) {
        String text;
        Map<String, Object> locals = new LinkedHashMap<>();
        if (arg instanceof List) {
            List<?> sub = (List<?>) arg;
            text = String.valueOf(sub.get(0));
            asMap(sub.get(1), "Fn::Sub").forEach((k, v) -> locals.put(k, eval(v, params)));
        } else {
            text = String.valueOf(arg);
        }
        Matcher m = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String variable = m.group(1);
            Object value;
            if (locals.containsKey(variable)) {
                value = locals.get(variable);
            } else if (variable.contains(".") && !variable.startsWith("AWS::")) {
                String[] att = variable.split("\\.", 2);
                value = eval(Map.of("Fn::GetAtt", List.of(att[0], att[1])), params);
            } else {
                value = ref(variable, params);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf(value)));
        }
        m.appendTail(out);
        return out.toString().replace("${!", "${");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object node, String what) {
        if (!(node instanceof Map)) {
            throw new IllegalArgumentException(what + " is not a mapping: " + node);
        }
        return (Map<String, Object>) node;
    }

    static List<?> asList(Object node, String what) {
        if (!(node instanceof List)) {
            throw new IllegalArgumentException(what + " needs a list, not: " + node);
        }
        return (List<?>) node;
    }
}

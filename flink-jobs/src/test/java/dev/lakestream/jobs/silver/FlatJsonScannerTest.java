package dev.lakestream.jobs.silver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FlatJsonScannerTest {

    /** Each field as name=kind:value, then END or GIVE_UP. */
    private static List<String> scan(String json) {
        byte[] in = json.getBytes(StandardCharsets.UTF_8);
        FlatJsonScanner scan = new FlatJsonScanner();
        List<String> read = new ArrayList<>();
        if (!scan.begin(in)) {
            read.add("NOT AN OBJECT");
            return read;
        }
        int step;
        while ((step = scan.next()) == FlatJsonScanner.FIELD) {
            String name = new String(in, scan.nameStart, scan.nameEnd - scan.nameStart, StandardCharsets.US_ASCII);
            String value = scan.kind == FlatJsonScanner.STRING
                    ? "string:" + new String(in, scan.valueStart, scan.valueEnd - scan.valueStart, StandardCharsets.US_ASCII)
                    : scan.kind == FlatJsonScanner.NUMBER ? "number:" + scan.number
                    : scan.kind == FlatJsonScanner.NULL ? "null" : scan.kind == FlatJsonScanner.TRUE ? "true" : "false";
            read.add(name + "=" + value);
        }
        read.add(step == FlatJsonScanner.END ? "END" : "GIVE_UP");
        return read;
    }

    @Test
    void readsAFlatObjectOfScalars() {
        assertThat(scan(" {\"s\" : \" a b \",\n\"n\":-123456789012345678,\"z\":0,\"t\":true,\"f\":false,\"x\":null}\r\n"))
                .containsExactly("s=string:a b", "n=number:-123456789012345678", "z=number:0", "t=true", "f=false", "x=null", "END");
        assertThat(scan("{}")).containsExactly("END");
        assertThat(scan("{\"\":\"\"}")).containsExactly("=string:", "END");
    }

    @Test
    void readsFieldsUntilItGivesUp() {
        assertThat(scan("{\"a\":1,\"b\":{\"c\":2}}")).containsExactly("a=number:1", "GIVE_UP");
        assertThat(scan("[1]")).containsExactly("NOT AN OBJECT");
        assertThat(scan("")).containsExactly("NOT AN OBJECT");
    }

    /** What Jackson reads differently (escapes, other characters), or rejects: never answered here. */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"a\":\"x\\\"y\"}", "{\"a\":\"x\\u0041\"}", "{\"a\\u0041\":1}", "{\"a\":\"café\"}", "{\"a\":\"x\ty\"}",
        "{\"a\":\"x\u007fy\"}", "{\"a\":[1]}", "{\"a\":1.0}", "{\"a\":1e3}", "{\"a\":1E3}", "{\"a\":01}", "{\"a\":-}",
        "{\"a\":-01}", "{\"a\":1234567890123456789}", "{\"a\":+1}", "{\"a\":nul}", "{\"a\":nullx}", "{\"a\":True}",
        "{\"a\":1,}", "{,\"a\":1}", "{\"a\":1 \"b\":2}", "{\"a\" 1}", "{\"a\":1", "{\"a\":\"x", "{\"a\":1}x",
        "{\"a\":1} {}", "{'a':1}", "{a:1}", "{\"a\":\u00a01}", "{\"a\":1}\u0000",
    })
    void givesUpOnEveryOtherForm(String json) {
        List<String> read = scan(json);
        assertThat(read.get(read.size() - 1)).as(json).isIn("GIVE_UP", "NOT AN OBJECT");
    }
}

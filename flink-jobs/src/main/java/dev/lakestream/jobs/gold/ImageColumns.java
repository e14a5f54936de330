package dev.lakestream.jobs.gold;

import dev.lakestream.cdc.CdcTableSchema;
import dev.lakestream.cdc.CdcTableSchema.ColumnType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Where the columns gold reads are in a captured table's silver rows, checked before the job starts. */
final class ImageColumns {

    private ImageColumns() {}

    /**
     * @return the index of each of {@code required} in {@code schema}'s columns
     * @throws IllegalArgumentException naming every column that is missing or of another type
     */
    static Map<String, Integer> indexes(CdcTableSchema schema, Map<String, ColumnType> required) {
        Map<String, Integer> at = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        new TreeMap<>(required).forEach((name, type) -> {
            int index = -1;
            for (int i = 0; i < schema.columns().size(); i++) {
                if (schema.columns().get(i).name().equals(name)) {
                    index = i;
                }
            }
            if (index < 0) {
                problems.add("no column '" + name + "'");
            } else if (schema.columns().get(index).type() != type) {
                problems.add("column '" + name + "' is " + schema.columns().get(index).sourceType() + ", not " + type);
            } else {
                at.put(name, index);
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Gold (daily revenue, customer features) cannot read table " + schema.table() + ": "
                    + String.join("; ", problems) + ". It needs " + new TreeMap<>(required));
        }
        return at;
    }

    /** The index of column {@code name} if {@code schema} has it with {@code type}; -1 otherwise. */
    static int optional(CdcTableSchema schema, String name, ColumnType type) {
        for (int i = 0; i < schema.columns().size(); i++) {
            if (schema.columns().get(i).name().equals(name) && schema.columns().get(i).type() == type) {
                return i;
            }
        }
        return -1;
    }
}

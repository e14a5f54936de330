package dev.lakestream.cdc;

/** What a change did to its row. Debezium's op codes: r, c, u, d. */
public enum ChangeOp {
    /** A row read by the initial (or incremental) snapshot. */
    READ("r"),
    INSERT("c"),
    UPDATE("u"),
    DELETE("d");

    private final String code;

    ChangeOp(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** The op of a Debezium op code; null for codes we do not apply (t = truncate, m = message, others). */
    public static ChangeOp ofCode(String code) {
        for (ChangeOp op : values()) {
            if (op.code.equals(code)) {
                return op;
            }
        }
        return null;
    }
}

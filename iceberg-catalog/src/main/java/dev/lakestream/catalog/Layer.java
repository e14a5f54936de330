package dev.lakestream.catalog;

/**
 * Medallion layers. Each layer is one Iceberg namespace (one Glue database), so Athena users
 * see {@code bronze.*}, {@code silver.*} and {@code gold.*}.
 */
public enum Layer {
    BRONZE("bronze"),
    SILVER("silver"),
    GOLD("gold");

    private final String namespace;

    Layer(String namespace) {
        this.namespace = namespace;
    }

    public String namespace() {
        return namespace;
    }
}

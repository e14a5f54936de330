-- The shop tables the local stack's CDC source captures (cdc.postgres.tables in
-- deploy/docker/pipeline.properties); the same columns as the tests' shop database. Insert or
-- update rows to see them in bronze.cdc_* and silver.* (daily revenue and customer features need both).
CREATE TABLE customers (
    customer_id bigint PRIMARY KEY,
    email       text NOT NULL,
    region      text,
    country     char(2),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE TABLE orders (
    order_id    bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    status      text NOT NULL,
    total       numeric(12,2) NOT NULL,
    currency    char(3) NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

package dev.lakestream.localservices;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trino of {@link LocalServices#trino()} starts once, sees the shared JDBC catalog and reads a
 * table written with Iceberg's Java API: every value of every row, with the rows an equality
 * delete removed left out.
 *
 * <p>The table is written before Trino starts and read first thing after: a Trino that answers
 * queries on its own system tables may not yet schedule splits of the Iceberg catalog ("No nodes
 * available to run query"), and a start that returns then is not ready.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrinoServerITCase {
  private static final Logger LOG = LoggerFactory.getLogger(TrinoServerITCase.class);
  private static final Schema SCHEMA = new Schema(
      Types.NestedField.required(1, "id", Types.LongType.get()),
      Types.NestedField.optional(2, "name", Types.StringType.get()),
      Types.NestedField.optional(3, "amount", Types.DecimalType.of(12, 2)),
      Types.NestedField.optional(4, "day", Types.DateType.get()),
      Types.NestedField.optional(5, "ts", Types.TimestampType.withoutZone()),
      Types.NestedField.optional(6, "flag", Types.BooleanType.get()),
      Types.NestedField.optional(7, "score", Types.DoubleType.get()),
      Types.NestedField.optional(8, "payload", Types.BinaryType.get()));

  private static LocalServices services;
  private static TrinoServer trino;
  private static Catalog catalog;
  private static String namespace;
  private static List<Record> rows;

  @BeforeAll
  static void start() throws Exception {
    services = LocalServices.shared();
    catalog = CatalogUtil.buildIcebergCatalog(TrinoServer.ICEBERG_CATALOG_NAME, services.icebergCatalogProperties(),
        new Configuration());
    namespace = services.uniqueName("trino_it");
    rows = writeReadingsWithDeletes(namespace);
    long begin = System.nanoTime();
    trino = services.trino();
    LOG.info("LocalServices.trino() took {} ms (server start {} ms)\n{}",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), trino.startupTime().toMillis(), services.describe());
  }

  @AfterAll
  static void closeCatalog() throws Exception {
    if (catalog instanceof AutoCloseable) {
      ((AutoCloseable) catalog).close();
    }
  }

  @Test
  @Order(2)
  void oneServerPerInstanceOnLoopbackInTheTargetDir() throws Exception {
    assertThat(services.trino()).isSameAs(trino);
    assertThat(trino.endpoint().getHost()).isEqualTo("127.0.0.1");
    assertThat(trino.jdbcUrl()).isEqualTo("jdbc:trino://127.0.0.1:" + trino.endpoint().getPort() + "/lakehouse");
    assertThat(trino.logFile().toString()).contains("/target/trino-");
    try (Connection connection = trino.connect(); Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT node_version, coordinator, state FROM system.runtime.nodes")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(trino.version());
      assertThat(rs.getBoolean(2)).isTrue();
      assertThat(rs.getString(3)).isEqualTo("active");
      assertThat(rs.next()).as("one node").isFalse();
    }
  }

  /** Two data files of 200 rows, then an equality delete of ids 40..59 (what an upsert writes). */
  private static List<Record> writeReadingsWithDeletes(String namespace) throws Exception {
    ((SupportsNamespaces) catalog).createNamespace(Namespace.of(namespace));
    TableIdentifier id = TableIdentifier.of(namespace, "readings");
    Map<String, String> properties = new HashMap<>();
    properties.put("format-version", "2");
    properties.put("write.format.default", "parquet");
    properties.put("write.parquet.compression-codec", "zstd");
    Table table = catalog.createTable(id, SCHEMA, PartitionSpec.unpartitioned(), properties);

    List<Record> rows = new ArrayList<>();
    for (long i = 1; i <= 200; i++) {
      Record r = GenericRecord.create(SCHEMA);
      r.setField("id", i);
      r.setField("name", i % 17 == 0 ? null : "reading-" + i + (i % 5 == 0 ? " ü€" : ""));
      r.setField("amount", i % 13 == 0 ? null : BigDecimal.valueOf(i * 1234 - 50_000, 2));
      r.setField("day", LocalDate.of(2026, 11, 1).plusDays(i % 40));
      r.setField("ts", LocalDateTime.of(2026, 11, 20, 9, 0).plusSeconds(i * 3_601).plusNanos(i * 1_000));
      r.setField("flag", i % 11 == 0 ? null : i % 2 == 0);
      r.setField("score", i % 7 == 0 ? null : i / 3.0);
      r.setField("payload", i % 9 == 0 ? null : ByteBuffer.wrap(("p" + i).getBytes(StandardCharsets.UTF_8)));
      rows.add(r);
    }
    GenericFileWriterFactory writers = new GenericFileWriterFactory.Builder(table)
        .dataFileFormat(FileFormat.PARQUET)
        .deleteFileFormat(FileFormat.PARQUET)
        .equalityFieldIds(new int[] {1})
        .equalityDeleteRowSchema(SCHEMA.select("id"))
        .build();
    OutputFileFactory files = OutputFileFactory.builderFor(table, 1, 1).format(FileFormat.PARQUET).build();
    for (List<Record> part : List.of(rows.subList(0, 120), rows.subList(120, 200))) {
      DataWriter<Record> writer = writers.newDataWriter(files.newOutputFile(), table.spec(), null);
      try (writer) {
        part.forEach(writer::write);
      }
      DataFile file = writer.toDataFile();
      table.newAppend().appendFile(file).commit();
    }
    EqualityDeleteWriter<Record> deletes = writers.newEqualityDeleteWriter(files.newOutputFile(), table.spec(), null);
    try (deletes) {
      for (long i = 40; i < 60; i++) {
        deletes.write(GenericRecord.create(SCHEMA.select("id")).copy(Map.of("id", i)));
      }
    }
    DeleteFile deleteFile = deletes.toDeleteFile();
    table.newRowDelta().addDeletes(deleteFile).commit();
    return rows;
  }

  @Test
  @Order(1)
  void readsEveryValueOfATableWrittenWithIcebergsJavaApiWithoutTheDeletedRows() throws Exception {
    List<String> expected = new ArrayList<>();
    for (Record r : rows) {
      long key = (Long) r.getField("id");
      if (key < 40 || key >= 60) {
        expected.add(key + " | " + r.getField("name") + " | " + r.getField("amount") + " | " + r.getField("day") + " | "
            + r.getField("ts") + " | " + r.getField("flag") + " | " + r.getField("score") + " | "
            + (r.getField("payload") == null ? null : HexFormat.of().formatHex(((ByteBuffer) r.getField("payload")).array())));
      }
    }

    List<String> read = new ArrayList<>();
    try (Connection connection = trino.connect(); Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT id, name, amount, day, ts, flag, score, payload FROM " + namespace
            + ".readings ORDER BY id")) {
      while (rs.next()) {
        byte[] payload = rs.getBytes(8);
        read.add(rs.getLong(1) + " | " + rs.getString(2) + " | " + rs.getBigDecimal(3) + " | "
            + rs.getObject(4, LocalDate.class) + " | " + rs.getObject(5, LocalDateTime.class) + " | "
            + rs.getObject(6) + " | " + rs.getObject(7) + " | " + (payload == null ? null : HexFormat.of().formatHex(payload)));
      }
    }
    assertThat(read).hasSize(180).containsExactlyElementsOf(expected);

    // What Trino tells about the files: two Parquet data files and one equality delete file.
    try (Connection connection = trino.connect(); Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT content, file_format, record_count FROM " + namespace
            + ".\"readings$files\" ORDER BY content, record_count")) {
      List<String> filesRead = new ArrayList<>();
      while (rs.next()) {
        filesRead.add(rs.getInt(1) + " " + rs.getString(2) + " " + rs.getLong(3));
      }
      assertThat(filesRead).containsExactly("0 PARQUET 80", "0 PARQUET 120", "2 PARQUET 20");
    }
  }
}

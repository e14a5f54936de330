package dev.lakestream.catalog.tables;

import dev.lakestream.catalog.spec.TableSpec;

import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Files;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.shaded.org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.iceberg.shaded.org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.iceberg.shaded.org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.iceberg.shaded.org.apache.parquet.hadoop.util.HadoopInputFile;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Parquet files written the way a table's writers write them, and what their footers say. */
public final class ParquetTestFiles {

    private ParquetTestFiles() {}

    /**
     * Writes {@code rows} rows of {@code spec}'s schema to {@code file} with Iceberg's Parquet writer
     * and these table properties; {@code fill} sets row {@code i}'s fields.
     */
    public static URI write(File file, TableSpec spec, Map<String, String> properties, int rows,
            BiConsumer<Integer, GenericRecord> fill) throws IOException {
        GenericRecord row = GenericRecord.create(spec.schema());
        try (FileAppender<Record> appender = Parquet.write(Files.localOutput(file))
                .schema(spec.schema())
                .setAll(properties)
                .createWriterFunc(GenericParquetWriter::create)
                .build()) {
            for (int i = 0; i < rows; i++) {
                fill.accept(i, row);
                appender.add(row);
            }
        }
        return file.toURI();
    }

    /** The columns (dotted paths) with min/max statistics in any row group of the file at {@code location}. */
    public static List<String> columnsWithStatistics(URI location) throws IOException {
        return columns(location, c -> c.getStatistics() != null && c.getStatistics().hasNonNullValue());
    }

    /** The columns (dotted paths) with a dictionary page in any row group of the file at {@code location}. */
    public static List<String> dictionaryColumns(URI location) throws IOException {
        return columns(location, ColumnChunkMetaData::hasDictionaryPage);
    }

    /** The columns (dotted paths) of whose chunks, in any row group of the file at {@code location}, one matches. */
    private static List<String> columns(URI location, Predicate<ColumnChunkMetaData> matches) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(location), new Configuration()))) {
            return reader.getFooter().getBlocks().stream()
                    .map(BlockMetaData::getColumns)
                    .flatMap(List::stream)
                    .filter(matches)
                    .map(c -> c.getPath().toDotString())
                    .distinct()
                    .collect(Collectors.toList());
        }
    }
}

package dev.lakestream.catalog.tables;

import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.shaded.org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.iceberg.shaded.org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.iceberg.shaded.org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.iceberg.shaded.org.apache.parquet.hadoop.util.HadoopInputFile;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;

/** What a Parquet file's footer says about how its columns were written. */
public final class ParquetFooters {

    private ParquetFooters() {}

    /** The columns (dotted paths) with a dictionary page in any row group of the file at {@code location}. */
    public static List<String> dictionaryColumns(URI location) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(location), new Configuration()))) {
            return reader.getFooter().getBlocks().stream()
                    .map(BlockMetaData::getColumns)
                    .flatMap(List::stream)
                    .filter(ColumnChunkMetaData::hasDictionaryPage)
                    .map(c -> c.getPath().toDotString())
                    .distinct()
                    .collect(Collectors.toList());
        }
    }
}

package dev.lakestream.catalog.internal;

import org.apache.iceberg.jdbc.JdbcCatalog;

import java.sql.Driver;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Iceberg's {@link JdbcCatalog}, after registering the JDBC drivers of its own class loader. On a
 * Flink cluster the driver (pgjdbc) is in the application jar, loaded child-first by the user-code
 * class loader, while {@link java.sql.DriverManager} found its drivers once, on the JVM's class
 * path: without this, opening the catalog on a JobManager or TaskManager fails with "No suitable
 * driver found" (tests on a MiniCluster have the driver on the class path and never see it).
 * Loading a driver class registers it with the caller's loader, which is the one Iceberg's
 * connection pool then asks from.
 */
public class DriverLoadingJdbcCatalog extends JdbcCatalog {

    @Override
    public void initialize(String name, Map<String, String> properties) {
        for (Driver driver : ServiceLoader.load(Driver.class, DriverLoadingJdbcCatalog.class.getClassLoader())) {
            // Instantiating it ran its static initializer, which called DriverManager.registerDriver.
            driver.getMajorVersion();
        }
        super.initialize(name, properties);
    }
}

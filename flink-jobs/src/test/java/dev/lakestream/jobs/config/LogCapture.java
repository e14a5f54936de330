package dev.lakestream.jobs.config;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Captures everything written through log4j2 (the test logging backend: SLF4J, Flink, Kafka, the AWS
 * SDK) at DEBUG and above, with stack traces, plus stdout and stderr, until closed. The console
 * shows INFO and above meanwhile.
 *
 * <p>Left at INFO: Apache HttpClient's {@code org.apache.http.wire} and {@code org.apache.http.headers}.
 * At DEBUG they print every byte of every HTTP exchange, GetSecretValue responses included: they
 * must never be turned on in production.
 */
final class LogCapture implements AutoCloseable {

    private static final String[] WIRE_LOGGERS = {"org.apache.http.wire", "org.apache.http.headers"};

    private final StringBuffer captured = new StringBuffer();
    private final LoggerContext context;
    private final Map<String, Level> levels = new HashMap<>();
    private final Appender appender;
    private final Map<String, org.apache.logging.log4j.core.Appender> consoles = new HashMap<>();
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;

    LogCapture() {
        context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        appender = new Appender(captured);
        appender.start();
        config.addAppender(appender);
        for (LoggerConfig logger : config.getLoggers().values()) {
            levels.put(logger.getName(), logger.getLevel());
            logger.setLevel(Level.DEBUG);
        }
        // Every logger is additive: the root's appenders see all events. The console keeps INFO.
        LoggerConfig root = config.getRootLogger();
        levels.put(root.getName(), root.getLevel());
        consoles.putAll(root.getAppenders());
        consoles.forEach((name, console) -> {
            root.removeAppender(name);
            root.addAppender(console, Level.INFO, null);
        });
        root.setLevel(Level.DEBUG);
        root.addAppender(appender, Level.DEBUG, null);
        for (String wire : WIRE_LOGGERS) {
            config.addLogger(wire, new LoggerConfig(wire, Level.INFO, true));
        }
        context.updateLoggers();
        System.setOut(new PrintStream(new Tee(out, captured), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(err, captured), true, StandardCharsets.UTF_8));
    }

    /** Everything captured so far. */
    String text() {
        return captured.toString();
    }

    @Override
    public void close() {
        System.setOut(out);
        System.setErr(err);
        Configuration config = context.getConfiguration();
        for (String wire : WIRE_LOGGERS) {
            config.removeLogger(wire);
        }
        LoggerConfig root = config.getRootLogger();
        root.removeAppender(appender.getName());
        consoles.forEach((name, console) -> {
            root.removeAppender(name);
            root.addAppender(console, null, null);
        });
        levels.forEach((name, level) -> {
            LoggerConfig logger = name.isEmpty() ? root : config.getLoggers().get(name);
            if (logger != null) {
                logger.setLevel(level);
            }
        });
        context.updateLoggers();
        appender.stop();
    }

    private static final class Appender extends AbstractAppender {

        private final StringBuffer sink;

        Appender(StringBuffer sink) {
            super("secrets-capture-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
            this.sink = sink;
        }

        @Override
        public void append(LogEvent event) {
            sink.append(event.getLevel()).append(' ').append(event.getLoggerName()).append(" - ")
                    .append(event.getMessage().getFormattedMessage()).append('\n');
            if (event.getThrown() != null) {
                StringWriter trace = new StringWriter();
                event.getThrown().printStackTrace(new PrintWriter(trace));
                sink.append(trace);
            }
        }
    }

    /** Writes to the original stream and to the capture. */
    private static final class Tee extends OutputStream {

        private final OutputStream original;
        private final StringBuffer sink;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Tee(OutputStream original, StringBuffer sink) {
            this.original = original;
            this.sink = sink;
        }

        @Override
        public synchronized void write(int b) {
            try {
                original.write(b);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            line.write(b);
            if (b == '\n') {
                flushLine();
            }
        }

        @Override
        public synchronized void flush() {
            flushLine();
        }

        private void flushLine() {
            sink.append(line.toString(StandardCharsets.UTF_8));
            line.reset();
        }
    }
}

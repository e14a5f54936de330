package dev.lakestream.jobs.config;

import java.util.List;

/**
 * The configuration cannot start a job. The message lists every problem found, each naming its key
 * and what is allowed, so one failed start is enough to fix them all.
 */
public final class InvalidConfigurationException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public InvalidConfigurationException(List<String> problems) {
        super("Invalid configuration, the job was not started:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}

package dev.lakestream.jobs.config;

/** A secret cannot be read. The message says why (not found, access denied, ...), never the value. */
public final class SecretLookupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SecretLookupException(String message) {
        super(message);
    }
}

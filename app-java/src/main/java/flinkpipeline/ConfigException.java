package flinkpipeline;

/** The runtime properties are missing or invalid; the message says which property and why. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}

package io.corerouter.core.observe;

/** The class of an HTTP status for metrics labels: {@code 1xx}..{@code 5xx}, or {@code none} when no status was sent. */
public enum StatusClass {
    NONE("none"), C1XX("1xx"), C2XX("2xx"), C3XX("3xx"), C4XX("4xx"), C5XX("5xx");

    private static final StatusClass[] VALUES = values();
    private final String label;

    StatusClass(String label) {
        this.label = label;
    }

    /** The label value. */
    public String label() {
        return label;
    }

    /** The class of {@code status}; anything outside 100..599 (0: no response head) is {@link #NONE}. */
    public static StatusClass of(int status) {
        return status >= 100 && status < 600 ? VALUES[status / 100] : NONE;
    }
}

package io.corerouter.core.stats;

/**
 * A page the stats server answers at its own path when it speaks HTTP ({@code --stats-http}):
 * {@code /metrics} (Prometheus) and {@code /status} (the status page), issue 12. Rendered on the stats
 * server's thread, never on a router's event loop.
 */
public interface StatsPage {
    /** The {@code Content-Type} of the page. */
    String contentType();

    /** The page now. */
    byte[] render();
}

package io.corerouter.ssl;

import java.util.concurrent.CompletionStage;

/**
 * SNI contexts pushed by subscriptions (spec §5.4, deviations.md "Subscriptions"): a subscribe packet
 * carrying {@code sni_key} and {@code sni_crt} (and optionally {@code sni_ca}) makes the TLS routers
 * serve that certificate to clients asking for the subscription key's host name; the context goes
 * when the key's last node leaves.
 *
 * <p>The subscription server calls these from its event loop: neither blocks. The name is the key up
 * to its first {@code ':'} (so {@code example.com:443} serves {@code example.com}), compared
 * case-insensitively; removal uses the same rule, so {@code host:port} keys are freed too (uWSGI
 * leaks them). Ciphers come from {@code --sni-dir-ciphers}. A pushed context follows its files like
 * every other one (hot reload).
 *
 * <p>One name has one pushed context, whoever pushed it; callers that share this (several routers'
 * subscription tables) count their holders themselves, as the launcher's {@code TlsSniSink} does.
 */
public interface SniContexts {
    /**
     * Serves {@code cert}/{@code key} for {@code key}'s host name. Pushing the same files again is a
     * no-op; other files replace the context. The context is built on an offload thread; handshakes
     * that ask for the name meanwhile wait for it.
     *
     * @param key      the subscription key ({@code example.com} or {@code example.com:443})
     * @param cert     {@code sni_crt}: certificate chain file
     * @param keyFile  {@code sni_key}: private key file
     * @param clientCa {@code sni_ca}: client CA file, {@code !}-prefixed for a mandatory client
     *                 certificate, or null
     * @return completes when the context is served, or exceptionally when the files are unusable
     *         (nothing is served for the name then); the caller logs the outcome (the subscription
     *         table logs uWSGI's {@code added SSL context for NAME}), this only at FINE
     */
    CompletionStage<Void> addContext(String key, String cert, String keyFile, String clientCa);

    /** Stops serving the context pushed for {@code key}'s host name, if any. */
    void removeContext(String key);
}

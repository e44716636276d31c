package io.corerouter.subscription.table;

import java.util.concurrent.CompletionStage;

/**
 * Where a subscription table sends the SNI contexts its nodes push (spec §5.4): a subscribe packet
 * with both {@code sni_key} and {@code sni_crt} for a key whose slot has no SNI yet
 * {@linkplain #enable enables} a TLS context for the key's host name, and freeing the slot (its last
 * node gone: unsubscribe, death, tolerance sweep) {@linkplain #disable disables} it.
 *
 * <p>The name is the key up to its first {@code ':'}, for enabling and disabling alike, so a
 * {@code host:port} key frees its context too (deviations.md "Subscriptions"; uWSGI looks the full key
 * up and leaks it). Each slot enables at most once per life and disables exactly once for each
 * enable, so an implementation shared by several tables can count holders per name.
 *
 * <p>Both methods are called on the table's subscription thread and must not block: building the
 * context (reading files) belongs on an offload thread. The subscription module has no TLS; the
 * launcher adapts the TLS service's {@code SniContexts} to this.
 */
public interface SniSink {
    /**
     * Serves {@code crt}/{@code key} to TLS clients asking for {@code name}.
     *
     * @param name the host name: the subscription key up to its first {@code ':'}
     * @param crt  {@code sni_crt}: certificate chain file
     * @param key  {@code sni_key}: private key file
     * @param ca   {@code sni_ca}: client CA file ({@code !}-prefixed: client certificate required), or null
     * @return completes when the context is served, exceptionally when it cannot be built; the table
     *         then {@linkplain #disable disables} the name and lets the next packet try again, as uWSGI
     *         does when its context cannot be created
     */
    CompletionStage<Void> enable(String name, String crt, String key, String ca);

    /** Stops serving what {@link #enable} started for {@code name} (once per enable). */
    void disable(String name);
}

/**
 * TLS for every router (spec §5): server contexts, SNI selection, the shared session cache, ticket
 * keys and hot reload of certificate files.
 *
 * <p>Start reading from {@link io.corerouter.ssl.TlsService} (one per process: engine, contexts, reload
 * thread) and {@link io.corerouter.ssl.TlsFront} (what a listener adds to each channel). Then
 * {@code SniTable} (the §5.3 lookup order, directory and subscription-pushed contexts, the latter
 * through {@link io.corerouter.ssl.SniContexts}), {@code TlsContextFactory} and
 * {@code ReloadableContext} (how contexts are built and rebuilt), {@code CertificateChecks} (what a
 * certificate file must pass before it is served), {@code OcspStapler} / {@code OcspStaple} /
 * {@code OcspClient} (OCSP stapling), {@code SharedSessionCache} and
 * {@link io.corerouter.ssl.TicketKeys} (resumption), and {@link io.corerouter.ssl.TlsConnection} (what a
 * handshake tells a router: SNI name, client certificate, the HTTPS vars of §5.2).
 *
 * <p>Options: {@link io.corerouter.ssl.TlsConfig} (process-wide, read through {@code TlsSection}) with
 * {@code TlsListener}, {@code TlsFiles} and {@code SniEntry}, the syntaxes the https and sslrouter
 * listener options share.
 */
package io.corerouter.ssl;

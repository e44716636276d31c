/**
 * Secured subscriptions (spec §2.9): {@link io.corerouter.subscription.sign.SignatureCheck} on the
 * server, {@link io.corerouter.subscription.sign.PacketSigner} on the client, and
 * {@link io.corerouter.subscription.sign.Pem} for OpenSSL's key files. RSA PKCS#1 v1.5 through
 * {@link java.security.Signature}; no extra dependency.
 */
package io.corerouter.subscription.sign;

package io.corerouter.ssl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.HttpURLConnection;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * OCSP (RFC 6960) for stapling, with Bouncy Castle's ASN.1 classes (the JDK has no public OCSP API):
 * the responder URL named in a certificate, the request for a certificate, a blocking HTTP POST to
 * the responder, and the checks a response passes before it is stapled: a successful response,
 * signed by the issuer or by a responder the issuer delegated to ({@code id-kp-OCSPSigning}), about
 * this certificate, current ({@code thisUpdate} not in the future, {@code nextUpdate} not past), and
 * saying {@code good} or {@code revoked} ({@code unknown} is not stapled).
 *
 * <p>Blocking: the stapler's own thread and start-up only.
 */
final class OcspClient {
    /** Largest response read from a responder (real ones are 1-4 KiB). */
    static final int MAX_RESPONSE = 64 * 1024;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    /** Clock skew tolerated on a response's thisUpdate. */
    private static final Duration SKEW = Duration.ofMinutes(5);
    private static final String OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";

    private OcspClient() {
    }

    /** A response whose nextUpdate has passed. */
    static final class ExpiredResponseException extends IOException {
        private static final long serialVersionUID = 1L;

        ExpiredResponseException(String message) {
            super(message);
        }
    }

    /** A checked response, ready to staple. */
    record Response(byte[] der, boolean revoked, Instant thisUpdate, Instant nextUpdate) {
        /** True while the response may still be stapled (before its nextUpdate; forever without one). */
        boolean currentAt(Instant now) {
            return nextUpdate == null || now.isBefore(nextUpdate);
        }

        /** nextUpdate in epoch milliseconds, {@link Long#MAX_VALUE} without one. */
        long expiresMillis() {
            return nextUpdate == null ? Long.MAX_VALUE : nextUpdate.toEpochMilli();
        }

        String status() {
            return revoked ? "revoked" : "good";
        }
    }

    /** The OCSP responder URL in the certificate's Authority Information Access extension, if any. */
    static Optional<URI> responderOf(X509Certificate certificate) {
        byte[] value = certificate.getExtensionValue(Extension.authorityInfoAccess.getId());
        if (value == null) {
            return Optional.empty();
        }
        try {
            ASN1Primitive parsed = JcaX509ExtensionUtils.parseExtensionValue(value);
            for (AccessDescription access : AuthorityInformationAccess.getInstance(parsed).getAccessDescriptions()) {
                GeneralName name = access.getAccessLocation();
                if (access.getAccessMethod().equals(AccessDescription.id_ad_ocsp)
                        && name.getTagNo() == GeneralName.uniformResourceIdentifier) {
                    URI uri = URI.create(DERIA5String.getInstance(name.getName()).getString());
                    if ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) {
                        return Optional.of(uri);
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** The DER request for {@code leaf} (no nonce: most responders, Let's Encrypt's included, ignore them). */
    static byte[] request(X509Certificate leaf, X509Certificate issuer) throws IOException {
        try {
            CertificateID id = new CertificateID(digests().get(CertificateID.HASH_SHA1),
                    new JcaX509CertificateHolder(issuer), leaf.getSerialNumber());
            return new OCSPReqBuilder().addRequest(id).build().getEncoded();
        } catch (OCSPException | OperatorCreationException | GeneralSecurityException e) {
            throw new IOException("cannot build the OCSP request: " + e.getMessage(), e);
        }
    }

    /** POSTs {@code request} to {@code responder} and returns the response body (bounded, with timeouts). */
    static byte[] fetch(URI responder, byte[] request) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) responder.toURL().openConnection();
        try {
            connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            connection.setReadTimeout((int) READ_TIMEOUT.toMillis());
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setUseCaches(false);
            connection.setRequestProperty("Content-Type", "application/ocsp-request");
            connection.setRequestProperty("Accept", "application/ocsp-response");
            connection.setFixedLengthStreamingMode(request.length);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(request);
            }
            int status = connection.getResponseCode();
            if (status != HttpURLConnection.HTTP_OK) {
                throw new IOException("responder " + responder + " answered HTTP " + status);
            }
            try (InputStream in = connection.getInputStream()) {
                ByteArrayOutputStream body = new ByteArrayOutputStream(4096);
                byte[] chunk = new byte[4096];
                for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                    if (body.size() + n > MAX_RESPONSE) {
                        throw new IOException("responder " + responder + " sent more than " + MAX_RESPONSE + " bytes");
                    }
                    body.write(chunk, 0, n);
                }
                return body.toByteArray();
            }
        } finally {
            connection.disconnect();
        }
    }

    /**
     * Parses and checks a response for {@code leaf}.
     *
     * @param issuer the leaf's issuer; null when the chain file has none: then only the serial number is
     *               matched and the signature cannot be checked (response files only)
     * @throws IOException saying what is wrong with the response
     */
    static Response check(byte[] der, X509Certificate leaf, X509Certificate issuer, Instant now) throws IOException {
        OCSPResp response;
        try {
            response = new OCSPResp(der);
        } catch (IOException | RuntimeException e) {
            throw new IOException("not a DER OCSP response (" + e.getMessage() + ")", e);
        }
        if (response.getStatus() != OCSPResp.SUCCESSFUL) {
            throw new IOException("responder refused: " + statusName(response.getStatus()));
        }
        BasicOCSPResp basic;
        try {
            basic = (BasicOCSPResp) response.getResponseObject();
        } catch (OCSPException | ClassCastException e) {
            throw new IOException("not a basic OCSP response", e);
        }
        if (basic == null) {
            throw new IOException("empty OCSP response");
        }
        if (issuer != null) {
            checkSigner(basic, issuer, now);
        }
        SingleResp single = find(basic, leaf.getSerialNumber(), issuer);
        Instant thisUpdate = single.getThisUpdate().toInstant();
        Instant nextUpdate = single.getNextUpdate() == null ? null : single.getNextUpdate().toInstant();
        if (thisUpdate.isAfter(now.plus(SKEW))) {
            throw new IOException("response thisUpdate " + thisUpdate + " is in the future");
        }
        if (nextUpdate != null && !now.isBefore(nextUpdate)) {
            throw new ExpiredResponseException("response expired at " + nextUpdate + " (nextUpdate)");
        }
        CertificateStatus status = single.getCertStatus();
        if (status != CertificateStatus.GOOD && !(status instanceof RevokedStatus)) {
            throw new IOException("responder does not know the certificate (status unknown)");
        }
        return new Response(der.clone(), status instanceof RevokedStatus, thisUpdate, nextUpdate);
    }

    private static SingleResp find(BasicOCSPResp basic, BigInteger serial, X509Certificate issuer) throws IOException {
        try {
            X509CertificateHolder issuerHolder = issuer == null ? null : new JcaX509CertificateHolder(issuer);
            for (SingleResp single : basic.getResponses()) {
                CertificateID id = single.getCertID();
                if (id.getSerialNumber().equals(serial)
                        && (issuerHolder == null || id.matchesIssuer(issuerHolder, digests()))) {
                    return single;
                }
            }
        } catch (GeneralSecurityException | OCSPException | OperatorCreationException e) {
            throw new IOException("cannot match the response to the certificate: " + e.getMessage(), e);
        }
        throw new IOException("response is not about this certificate (serial " + serial.toString(16) + ")");
    }

    /** The response must be signed by the issuer, or by a certificate the issuer gave id-kp-OCSPSigning. */
    private static void checkSigner(BasicOCSPResp basic, X509Certificate issuer, Instant now) throws IOException {
        try {
            JcaContentVerifierProviderBuilder verifiers = new JcaContentVerifierProviderBuilder();
            if (basic.isSignatureValid(verifiers.build(issuer.getPublicKey()))) {
                return;
            }
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (X509CertificateHolder holder : basic.getCerts()) {
                X509Certificate responder = converter.getCertificate(holder);
                List<String> usages = responder.getExtendedKeyUsage();
                if (usages != null && usages.contains(OCSP_SIGNING) && CertificateChecks.issued(issuer, responder)
                        && !now.isBefore(responder.getNotBefore().toInstant())
                        && now.isBefore(responder.getNotAfter().toInstant())
                        && basic.isSignatureValid(verifiers.build(responder.getPublicKey()))) {
                    return;
                }
            }
        } catch (OCSPException | OperatorCreationException | GeneralSecurityException e) {
            throw new IOException("cannot check the response signature: " + e.getMessage(), e);
        }
        throw new IOException("response not signed by the issuer nor by a responder it authorised");
    }

    private static DigestCalculatorProvider digests() throws OperatorCreationException {
        return new JcaDigestCalculatorProviderBuilder().build();
    }

    private static String statusName(int status) {
        return switch (status) {
            case OCSPResp.MALFORMED_REQUEST -> "malformedRequest (1)";
            case OCSPResp.INTERNAL_ERROR -> "internalError (2)";
            case OCSPResp.TRY_LATER -> "tryLater (3)";
            case OCSPResp.SIG_REQUIRED -> "sigRequired (5)";
            case OCSPResp.UNAUTHORIZED -> "unauthorized (6)";
            default -> "status " + status;
        };
    }
}

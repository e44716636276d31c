package io.corerouter.ssl;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.util.io.pem.PemHeader;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * Reads the PEM files a TLS context is built from: certificate chains (other blocks in the file,
 * such as DH parameters, are skipped) and unencrypted private keys in PKCS#8
 * ({@code BEGIN PRIVATE KEY}, what {@code openssl req -newkey} and {@code genpkey} write), SEC1 EC
 * ({@code BEGIN EC PRIVATE KEY}, {@code openssl ecparam -genkey}) or PKCS#1 RSA
 * ({@code BEGIN RSA PRIVATE KEY}) form, decoded with Bouncy Castle's PEM and ASN.1 classes.
 * Blocking: start-up or offload threads only.
 */
final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    private PemFiles() {
    }

    /** Every {@code CERTIFICATE} block of the file, in order (leaf first for a chain). */
    static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> certificates = new ArrayList<>();
        Matcher m = BLOCK.matcher(Files.readString(file, StandardCharsets.US_ASCII));
        while (m.find()) {
            if (m.group(1).equals("CERTIFICATE") || m.group(1).equals("TRUSTED CERTIFICATE")) {
                certificates.add((X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(decode(m.group(2)))));
            }
        }
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException(file + ": no PEM certificate found");
        }
        return certificates;
    }

    /**
     * The first private key of the file, whatever its PEM form: PKCS#8 ({@code PRIVATE KEY}), SEC1 EC
     * ({@code EC PRIVATE KEY}, what {@code openssl ecparam -genkey} and many ACME clients write, possibly
     * after an {@code EC PARAMETERS} block), PKCS#1 RSA ({@code RSA PRIVATE KEY}). The key is converted to PKCS#8, the form Netty hands to BoringSSL. Encrypted keys are refused with the
     * file named: a router starts unattended, there is nobody to ask for a pass phrase.
     */
    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        return privateKey(null, file);
    }

    /**
     * {@link #privateKey(Path)}, its errors prefixed with {@code label} (the option and listener, as
     * {@code https :8443}) when not null: the operator learns which setting names the bad file.
     */
    static PrivateKey privateKey(String label, Path file) throws IOException, GeneralSecurityException {
        try {
            return readPrivateKey(file);
        } catch (GeneralSecurityException e) {
            if (label == null) {
                throw e;
            }
            throw new GeneralSecurityException(label + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey readPrivateKey(Path file) throws IOException, GeneralSecurityException {
        ASN1Encodable ecParameters = null;
        // PemReader, not PEMParser: PEMParser throws on block types it does not know (DH PARAMETERS)
        try (PemReader pem = new PemReader(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
            for (PemObject block = pem.readPemObject(); block != null; block = pem.readPemObject()) {
                if (block.getType().endsWith("PRIVATE KEY") && isEncrypted(block)) {
                    throw new GeneralSecurityException(file + ": encrypted private keys are not supported "
                            + "(decrypt it: openssl pkey -in KEY -out KEY.plain)");
                }
                switch (block.getType()) {
                    case "PRIVATE KEY":
                        return convert(file, block, PrivateKeyInfo.getInstance(block.getContent()));
                    case "EC PARAMETERS":
                        ecParameters = ASN1Primitive.fromByteArray(block.getContent());
                        break;
                    case "EC PRIVATE KEY":
                        return convert(file, block, sec1(block.getContent(), ecParameters));
                    case "RSA PRIVATE KEY":
                        return convert(file, block, new PrivateKeyInfo(new AlgorithmIdentifier(
                                PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                                RSAPrivateKey.getInstance(block.getContent())));
                    case "DSA PRIVATE KEY":
                        throw new GeneralSecurityException(file + ": DSA keys are not supported (BoringSSL has no DSA)");
                    default:
                        // certificates, DH parameters: skip
                }
            }
        } catch (IllegalArgumentException | IllegalStateException | IOException badEncoding) {
            // BC's ASN.1 parsers throw unchecked exceptions on bad DER; PemReader an IOException
            throw new GeneralSecurityException(file + ": unreadable private key (" + badEncoding.getMessage() + ")",
                    badEncoding);
        }
        throw new GeneralSecurityException(file + ": no PEM private key found");
    }

    /** OpenSSL's traditional encryption ({@code Proc-Type: 4,ENCRYPTED}) or PKCS#8's. */
    private static boolean isEncrypted(PemObject block) {
        if (block.getType().equals("ENCRYPTED PRIVATE KEY")) {
            return true;
        }
        for (Object header : block.getHeaders()) {
            if (header instanceof PemHeader h && h.getName().equals("Proc-Type") && h.getValue().contains("ENCRYPTED")) {
                return true;
            }
        }
        return false;
    }

    /**
     * RFC 5915's ECPrivateKey inside a PKCS#8 PrivateKeyInfo (RFC 5915 §2, RFC 5480 id-ecPublicKey). The
     * curve is the key's own parameters field, else the preceding {@code EC PARAMETERS} block's.
     */
    private static PrivateKeyInfo sec1(byte[] der, ASN1Encodable ecParameters) throws IOException {
        ECPrivateKey key = ECPrivateKey.getInstance(der);
        ASN1Encodable curve = key.getParametersObject() != null ? key.getParametersObject() : ecParameters;
        if (curve == null) {
            throw new IOException("SEC1 key without curve parameters and no EC PARAMETERS block before it");
        }
        return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve), key);
    }

    private static PrivateKey convert(Path file, PemObject block, PrivateKeyInfo info) throws GeneralSecurityException {
        try {
            return new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (PEMException e) {
            throw new GeneralSecurityException(file + ": unsupported " + block.getType() + " ("
                    + info.getPrivateKeyAlgorithm().getAlgorithm() + "): " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }

    private static byte[] decode(String base64) {
        return Base64.getMimeDecoder().decode(base64);
    }
}

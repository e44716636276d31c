package io.corerouter.ssl;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * The text forms of a certificate uWSGI puts into {@code HTTPS_DN} and {@code HTTPS_CC} (spec §5.2):
 * OpenSSL's {@code X509_NAME_oneline} ({@code /C=IT/O=Test/CN=client1}, RDNs in certificate order,
 * OpenSSL short names) and PEM.
 */
public final class X509Text {
    private static final Map<String, String> SHORT_NAMES = Map.ofEntries(
            Map.entry("1.2.840.113549.1.9.1", "emailAddress"),
            Map.entry("2.5.4.5", "serialNumber"),
            Map.entry("2.5.4.4", "SN"),
            Map.entry("2.5.4.42", "GN"),
            Map.entry("2.5.4.12", "title"),
            Map.entry("2.5.4.46", "dnQualifier"),
            Map.entry("2.5.4.65", "pseudonym"),
            Map.entry("2.5.4.43", "initials"),
            Map.entry("2.5.4.44", "generationQualifier"),
            Map.entry("2.5.4.9", "street"),
            Map.entry("2.5.4.17", "postalCode"));
    private static final Map<String, String> RFC2253_TO_OPENSSL = Map.of("STREET", "street", "UID", "UID",
            "DC", "DC");

    private X509Text() {
    }

    /** {@code X509_NAME_oneline} of a subject or issuer: {@code /C=IT/O=Test/CN=client1}. */
    public static String oneline(X500Principal name) {
        LdapName ldap;
        try {
            ldap = new LdapName(name.getName(X500Principal.RFC2253, SHORT_NAMES));
        } catch (InvalidNameException e) {
            return "/" + name.getName(X500Principal.RFC1779);
        }
        StringBuilder out = new StringBuilder();
        List<Rdn> rdns = ldap.getRdns(); // index 0 is the first RDN of the encoding
        for (Rdn rdn : rdns) {
            out.append('/');
            boolean first = true;
            for (javax.naming.directory.Attribute attribute : iterable(rdn)) {
                if (!first) {
                    out.append('+');
                }
                first = false;
                String type = attribute.getID();
                out.append(RFC2253_TO_OPENSSL.getOrDefault(type, type)).append('=');
                try {
                    appendEscaped(out, String.valueOf(attribute.get()));
                } catch (javax.naming.NamingException e) {
                    out.append('?');
                }
            }
        }
        return out.toString();
    }

    /** As OpenSSL: printable ASCII as is, every other byte of the UTF-8 form as {@code \\xHH}. */
    private static void appendEscaped(StringBuilder out, String value) {
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c >= 0x20 && c < 0x7F) {
                out.append((char) c);
            } else {
                out.append(String.format("\\x%02X", c));
            }
        }
    }

    private static List<javax.naming.directory.Attribute> iterable(Rdn rdn) {
        List<javax.naming.directory.Attribute> list = new java.util.ArrayList<>();
        javax.naming.NamingEnumeration<? extends javax.naming.directory.Attribute> all = rdn.toAttributes().getAll();
        while (all.hasMoreElements()) {
            list.add(all.nextElement());
        }
        return list;
    }

    /** The certificate as PEM, as OpenSSL's {@code PEM_write_bio_X509} writes it. */
    public static String pem(X509Certificate certificate) throws CertificateEncodingException {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(certificate.getEncoded());
        return "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n";
    }

    /** The DER bytes as ISO-8859-1 text, one char per byte: the form uwsgi vars are written from. */
    static String bytesAsText(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}

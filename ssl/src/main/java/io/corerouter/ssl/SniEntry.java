package io.corerouter.ssl;

import java.util.Objects;

/**
 * One {@code --sni "NAME CRT,KEY[,CIPHERS[,CLIENTCA]]"} or {@code --sni-regexp} entry (spec §5.1, §5.3).
 *
 * @param name  the server name (compared case-insensitively) or, for {@code --sni-regexp}, the
 *              regular expression (searched in the name, as PCRE does without anchors)
 * @param files the certificate served to clients asking for that name
 */
public record SniEntry(String name, TlsFiles files) {

    public SniEntry {
        Objects.requireNonNull(files, "files");
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("empty SNI name");
        }
    }

    /** Parses {@code NAME CRT,KEY[,CIPHERS[,CLIENTCA]]} (one space after NAME). */
    public static SniEntry parse(String text) {
        int space = text.indexOf(' ');
        if (space <= 0) {
            throw new IllegalArgumentException(text + " (expected: NAME CRT,KEY[,CIPHERS[,CLIENTCA]])");
        }
        return new SniEntry(text.substring(0, space), TlsFiles.parseCsv(text.substring(space + 1).trim()));
    }
}

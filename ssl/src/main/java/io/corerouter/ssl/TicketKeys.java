package io.corerouter.ssl;

import io.netty.handler.ssl.OpenSslSessionTicketKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A session-ticket key ring in nginx's {@code ssl_session_ticket_key} format ({@code --ssl-ticket-keys}):
 * one or more 48-byte keys concatenated, each a 16-byte name, a 16-byte HMAC secret and a 16-byte AES
 * key. The first key encrypts new tickets; every key decrypts, so a key can be retired by moving it
 * behind a new one, and routers sharing the file resume each other's TLS 1.2 and 1.3 sessions.
 *
 * <pre>
 * openssl rand 48 &gt; ticket.key                       # one key
 * cat new.key old.key &gt; ticket.key                    # rotate: new one encrypts, old one still decrypts
 * </pre>
 */
public final class TicketKeys {
    /** Bytes of one key. */
    public static final int KEY_LENGTH = 48;
    private static final int PART = 16;
    /** More keys than anyone rotates through; guards against pointing the option at a big file. */
    private static final int MAX_KEYS = 64;

    private final List<OpenSslSessionTicketKey> keys;

    private TicketKeys(List<OpenSslSessionTicketKey> keys) {
        this.keys = List.copyOf(keys);
    }

    /**
     * Parses a key file's content.
     *
     * @throws IllegalArgumentException if the length is not a positive multiple of {@value #KEY_LENGTH}
     */
    public static TicketKeys parse(byte[] content) {
        if (content.length == 0 || content.length % KEY_LENGTH != 0 || content.length / KEY_LENGTH > MAX_KEYS) {
            throw new IllegalArgumentException(content.length + " bytes (expected: 1-" + MAX_KEYS + " keys of "
                    + KEY_LENGTH + " bytes: 16-byte name, 16-byte HMAC secret, 16-byte AES key)");
        }
        List<OpenSslSessionTicketKey> keys = new ArrayList<>(content.length / KEY_LENGTH);
        for (int off = 0; off < content.length; off += KEY_LENGTH) {
            keys.add(new OpenSslSessionTicketKey(
                    Arrays.copyOfRange(content, off, off + PART),
                    Arrays.copyOfRange(content, off + PART, off + 2 * PART),
                    Arrays.copyOfRange(content, off + 2 * PART, off + 3 * PART)));
        }
        return new TicketKeys(keys);
    }

    /** Reads and parses a key file. Blocking: start-up or offload thread only. */
    public static TicketKeys read(Path file) throws IOException {
        try {
            return parse(Files.readAllBytes(file));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** The keys in file order: the first encrypts. */
    public List<OpenSslSessionTicketKey> keys() {
        return keys;
    }

    OpenSslSessionTicketKey[] toArray() {
        return keys.toArray(new OpenSslSessionTicketKey[0]);
    }

    public int size() {
        return keys.size();
    }
}

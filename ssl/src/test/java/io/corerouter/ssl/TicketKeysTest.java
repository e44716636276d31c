package io.corerouter.ssl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TicketKeysTest {
    private static byte[] keys(int n) {
        byte[] bytes = new byte[n * TicketKeys.KEY_LENGTH];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    @Test
    void nginxLayoutNameThenHmacThenAes() {
        TicketKeys ring = TicketKeys.parse(keys(2));
        assertEquals(2, ring.size());
        byte[] all = keys(2);
        assertArrayEquals(Arrays.copyOfRange(all, 0, 16), ring.keys().get(0).name());
        assertArrayEquals(Arrays.copyOfRange(all, 16, 32), ring.keys().get(0).hmacKey());
        assertArrayEquals(Arrays.copyOfRange(all, 32, 48), ring.keys().get(0).aesKey());
        assertArrayEquals(Arrays.copyOfRange(all, 48, 64), ring.keys().get(1).name()); // second key decrypts only
    }

    @Test
    void rejectsAnythingButWholeKeys() {
        assertThrows(IllegalArgumentException.class, () -> TicketKeys.parse(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> TicketKeys.parse(new byte[47]));
        assertThrows(IllegalArgumentException.class, () -> TicketKeys.parse(new byte[80])); // nginx's AES-256 form
        assertThrows(IllegalArgumentException.class, () -> TicketKeys.parse(new byte[65 * 48]));
    }
}

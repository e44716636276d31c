package io.corerouter.subscription.table;

/**
 * uWSGI's subscription hash (spec §2.3, {@code core/hash.c}): {@code h = 5381; h = (h * 33) ^ b} over
 * u32 with each byte sign-extended as a C {@code char} on x86, then the bucket index
 * {@code h % 65535}. Only the stats field {@code hash} and the stats order use it: the table itself is
 * a hash map.
 */
public final class Djb33x {
    private Djb33x() {
    }

    /** The bucket index uWSGI reports for {@code key} (ISO-8859-1 chars, one per byte). */
    public static int bucket(String key) {
        int h = 5381;
        for (int i = 0; i < key.length(); i++) {
            h = (h * 33) ^ (byte) key.charAt(i);
        }
        return Integer.remainderUnsigned(h, 0xffff);
    }
}

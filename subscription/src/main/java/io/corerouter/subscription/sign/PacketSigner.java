package io.corerouter.subscription.sign;

import io.corerouter.subscription.SubscribeTarget;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.function.UnaryOperator;

/**
 * Signs subscription packets for a client ({@code sign=DIGEST:PRIVKEY}, spec §2.9): RSA PKCS#1 v1.5
 * over the var bytes before {@code sign}, as uWSGI's {@code EVP_SignFinal} does. Give it to
 * {@link io.corerouter.subscription.codec.SubscriptionPacketWriter#write}.
 */
public final class PacketSigner implements UnaryOperator<byte[]> {
    private final String algorithm;
    private final PrivateKey key;

    public PacketSigner(String algorithm, PrivateKey key) {
        this.algorithm = algorithm;
        this.key = key;
    }

    /** Loads the private key of a {@code sign=} option (blocking file read: start-up only). */
    public static PacketSigner load(SubscribeTarget.Sign sign) throws IOException, GeneralSecurityException {
        return new PacketSigner(sign.algorithm(), Pem.readPrivateKey(sign.privateKey()));
    }

    @Override
    public byte[] apply(byte[] base) {
        try {
            Signature signature = Signature.getInstance(algorithm);
            signature.initSign(key);
            signature.update(base);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with " + algorithm + ": " + e.getMessage(), e);
        }
    }
}

package io.corerouter.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.ConfigSection;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.RouterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The global subscription server options and the subscription client (spec §2); each router's
 * {@code --R-subscription-server} options are tested with the router (router-http's HttpRouterConfigTest).
 */
class SubscriptionConfigTest {
    /** This module's sections, as the launcher lists them. */
    static final List<ConfigSection<?>> SECTIONS = List.of(SubscriptionSection.INSTANCE, SubscriberSection.INSTANCE);

    static RouterConfig parse(String... args) throws ConfigException {
        return RouterConfig.parse(SECTIONS, args);
    }

    private static SubscriptionOptions subscriptions(RouterConfig config) {
        return config.get(SubscriptionSection.INSTANCE).orElseThrow();
    }

    private static SubscriberOptions subscriber(RouterConfig config) {
        return config.get(SubscriberSection.INSTANCE).orElseThrow();
    }

    private static String error(String... args) {
        return assertThrows(ConfigException.class, () -> parse(args)).getMessage();
    }

    @Test
    void defaults() throws Exception {
        RouterConfig config = parse();
        assertEquals(SubscriptionOptions.DEFAULTS, subscriptions(config));
        assertEquals(SubscriptionOptions.Algo.WRR, subscriptions(config).algo());
        assertEquals(Duration.ofSeconds(17), subscriptions(config).tolerance());
        assertEquals(Duration.ofSeconds(86400), subscriptions(config).signTolerance());
        assertFalse(subscriber(config).enabled());
        assertEquals(Duration.ofSeconds(10), subscriber(config).freq());
        assertEquals(SubscriberOptions.NONE, subscriber(config));
        assertTrue(config.warnings().isEmpty(), config.warnings().toString());
    }

    @Test
    void globalSubscriptionOptions() throws Exception {
        RouterConfig config = parse("--subscription-algo", "WLRC", "--subscription-tolerance", "30",
                "--subscription-dotsplit");
        assertEquals(SubscriptionOptions.Algo.WLRC, subscriptions(config).algo());
        assertEquals(Duration.ofSeconds(30), subscriptions(config).tolerance());
        assertTrue(subscriptions(config).dotsplit());
        assertTrue(config.warnings().isEmpty(), config.warnings().toString());
    }

    @Test
    void unknownAlgorithmFallsBackToWrrWithAWarning() throws Exception {
        RouterConfig config = parse("--subscription-algo", "iphash");
        assertEquals(SubscriptionOptions.Algo.WRR, subscriptions(config).algo());
        assertEquals(List.of("subscription-algo: unknown algorithm 'iphash', using wrr (expected: wrr, lrc or wlrc)"),
                config.warnings());
    }

    @Test
    void signCheck() throws Exception {
        RouterConfig config = parse("--subscriptions-sign-check", "sha256:/etc/keys",
                "--subscriptions-sign-check-tolerance", "60");
        SubscriptionOptions.SignCheck check = subscriptions(config).signCheck().orElseThrow();
        assertEquals("sha256", check.digest());
        assertEquals(Path.of("/etc/keys"), check.dir());
        assertEquals("SHA256withRSA", check.algorithm());
        assertEquals(Duration.ofSeconds(60), subscriptions(config).signTolerance());
        assertEquals("SHA1withRSA", SubscriptionOptions.SignCheck.rsaAlgorithm("SHA1"));
        assertEquals("SHA512withRSA", SubscriptionOptions.SignCheck.rsaAlgorithm("SHA-512"));
        assertEquals("subscriptions-sign-check: NOPE (expected: a digest name such as SHA1, SHA256, SHA384 or SHA512)",
                error("--subscriptions-sign-check", "NOPE:/etc/keys"));
        assertEquals("subscriptions-sign-check: /etc/keys (expected: DIGEST:DIR)",
                error("--subscriptions-sign-check", "/etc/keys"));
    }

    @Test
    void badValues() {
        assertEquals("subscription-tolerance: 0 (expected: > 0)", error("--subscription-tolerance", "0"));
    }

    @Test
    void subscribe2() throws Exception {
        RouterConfig config = parse("--subscribe2",
                "server=127.0.0.1:7000,key=app.test,addr=127.0.0.1:3031,weight=3,modifier1=5,modifier2=1,"
                        + "sign=SHA256:/k/priv.pem,check=/tmp/maintenance,sni_key=/k.pem,sni_crt=/c.pem,sni_ca=/ca.pem",
                "--subscription-notify-socket", "/run/notify.sock", "--subscribe-freq", "3");
        SubscribeTarget t = subscriber(config).targets().get(0);
        assertEquals(Endpoint.parseBackend("127.0.0.1:7000"), t.server());
        assertEquals("app.test", t.key());
        assertEquals("127.0.0.1:3031", t.address());
        assertEquals(3, t.weight());
        assertEquals(5, t.modifier1());
        assertEquals(1, t.modifier2());
        assertEquals("SHA256withRSA", t.sign().orElseThrow().algorithm());
        assertEquals(Path.of("/k/priv.pem"), t.sign().orElseThrow().privateKey());
        assertEquals(Optional.of(Path.of("/tmp/maintenance")), t.check());
        assertEquals(Optional.of("/k.pem"), t.sniKey());
        assertEquals(Optional.of("/c.pem"), t.sniCrt());
        assertEquals(Optional.of("/ca.pem"), t.sniCa());
        assertEquals(Optional.of("/run/notify.sock"), t.notifySocket());
        assertEquals(Duration.ofSeconds(3), subscriber(config).freq());
    }

    @Test
    void subscribe2Errors() {
        assertEquals("subscribe2: key=a (expected: at least server=ADDR,key=KEY)", error("--subscribe2", "key=a"));
        assertEquals("subscribe2: server=1.2.3.4:5,key=a (expected: addr=ADDRESS: corerouter has no uwsgi socket "
                + "to announce)", error("--subscribe2", "server=1.2.3.4:5,key=a"));
        assertEquals("subscribe2: weight=x (expected: a number)",
                error("--subscribe2", "server=1.2.3.4:5,key=a,addr=/s,weight=x"));
        assertTrue(error("--subscribe2", "server=1.2.3.4:5,key=a,addr=/s,socket=0").contains("no uwsgi sockets"));
    }

    @Test
    void subscribeTo() throws Exception {
        RouterConfig config = parse("--subscribe-to", "127.0.0.1:3031=127.0.0.1:7000:app.test",
                "--st", "/run/app.sock=/run/sub.sock:other.test,5,SHA1:/k.pem",
                "--subscribe", "/s=10.0.0.1:7000:k:with:colons");
        List<SubscribeTarget> targets = subscriber(config).targets();
        assertEquals(3, targets.size());
        assertEquals("127.0.0.1:3031", targets.get(0).address());
        assertEquals(Endpoint.parseBackend("127.0.0.1:7000"), targets.get(0).server());
        assertEquals("app.test", targets.get(0).key());
        assertEquals(Endpoint.parseBackend("/run/sub.sock"), targets.get(1).server());
        assertEquals("other.test", targets.get(1).key());
        assertEquals(5, targets.get(1).modifier1());
        assertEquals("SHA1withRSA", targets.get(1).sign().orElseThrow().algorithm());
        assertEquals("k:with:colons", targets.get(2).key());
    }

    @Test
    void subscribeToNeedsTheNodeAddress() {
        assertEquals("subscribe-to: 127.0.0.1:7000:app.test (expected: ADDRESS=SERVER:KEY: corerouter has no uwsgi "
                + "socket to announce)", error("--subscribe-to", "127.0.0.1:7000:app.test"));
        assertTrue(error("--subscribe-to", "/s=127.0.0.1:7000").contains("expected: ADDRESS=SERVER:KEY with SERVER"));
    }

    @Test
    void subscribeKeysGoOnTheWireAsUtf8Bytes() throws Exception {
        RouterConfig config = parse("--subscribe2", "server=127.0.0.1:7000,key=caf\u00e9.test,addr=/s");
        assertEquals("caf\u00c3\u00a9.test", subscriber(config).targets().get(0).key());
    }

    @Test
    void boundsAndAllowList() throws Exception {
        SubscriptionOptions defaults = subscriptions(parse());
        assertEquals(10_000, defaults.maxKeys());
        assertEquals(256, defaults.maxNodes());
        assertTrue(defaults.allow().isEmpty());
        SubscriptionOptions options = subscriptions(parse("--subscription-max-keys", "1000",
                "--subscription-max-nodes", "8", "--subscription-allow", "10.0.0.0/8",
                "--subscription-allow", "[fd00::]/8", "--subscription-allow", "127.0.0.1"));
        assertEquals(1000, options.maxKeys());
        assertEquals(8, options.maxNodes());
        assertEquals(List.of("10.0.0.0/8", "[fd00::]/8", "127.0.0.1"),
                options.allow().stream().map(SubscriptionOptions.Cidr::text).toList());
        assertTrue(options.allows(java.net.InetAddress.getByName("10.20.30.40")));
        assertTrue(options.allows(java.net.InetAddress.getByName("fd01::1")));
        assertFalse(options.allows(java.net.InetAddress.getByName("127.0.0.2")));

        assertEquals("subscription-max-keys: 0 (expected: > 0)", error("--subscription-max-keys", "0"));
        assertEquals("subscription-max-nodes: x (expected: a number)", error("--subscription-max-nodes", "x"));
        assertEquals("subscription-allow: 10.0.0.0/33 (expected: a prefix length of 0-32)",
                error("--subscription-allow", "10.0.0.0/33"));
        assertEquals("subscription-allow: example.com (expected: ADDRESS[/PREFIX] with an IPv4 or IPv6 address, "
                + "e.g. 10.0.0.0/8 or fd00::/8)", error("--subscription-allow", "example.com"));
    }
}

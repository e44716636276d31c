package io.corerouter.core.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.corerouter.core.backend.BackendNode;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Spec §3.4 items 2 and 4: {@code --R-use-pattern} and {@code --R-use-base}. */
class PatternMapperTest {
    @Test
    void expandsLikeUwsgi() {
        assertEquals("/run/a.test.sock", PatternMapper.expand("/run/%s.sock", "a.test"));
        assertEquals("/x/100%/a", PatternMapper.expand("/x/100%%/%s", "a"));
        assertEquals("/x/%(a", PatternMapper.expand("/x/%(%s", "a"));
        assertEquals("/x/a", PatternMapper.expand("/x/%d%s", "a")); // other %X dropped
        assertEquals("/x/%", PatternMapper.expand("/x/%", "a"));
    }

    @Test
    void patternGivesUnixNodes() {
        BackendNode node = PatternMapper.pattern("/run/app/%s.sock").pick("a.test");
        assertEquals("/run/app/a.test.sock", node.name());
        assertEquals(new DomainSocketAddress("/run/app/a.test.sock"), node.address());
        assertEquals(0, node.modifier1());
    }

    @Test
    void baseAppendsTheKey() {
        BackendNode node = PatternMapper.base("127.0.0.1:").pick("3031");
        assertEquals(new InetSocketAddress("127.0.0.1", 3031), node.address());
    }

    @Test
    void unsafeOrUnresolvableKeysFindNoNode() {
        PatternMapper mapper = PatternMapper.pattern("/run/app/%s.sock");
        assertNull(mapper.pick("../../etc/x"));
        assertNull(mapper.pick(""));
        assertNull(mapper.pick("a\0b"));
        assertNull(PatternMapper.pattern("%s:3031").pick("example.com")); // would need DNS on the loop
        assertNull(PatternMapper.base("127.0.0.1:").pick("notaport"));
    }
}

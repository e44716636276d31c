package io.corerouter.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --R-uid} / {@code --R-gid}: checked, since a JVM cannot drop root privileges. */
class RunAsTest {
    @TempDir
    Path dir;
    private Path passwd;
    private Path group;

    @BeforeEach
    void files() throws Exception {
        passwd = Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n"
                + "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n");
        group = Files.writeString(dir.resolve("group"), "root:x:0:\nwww-data:x:33:\n");
    }

    private List<String> check(String user, String grp, long uid, long gid) throws ConfigException {
        return RunAs.check("http", Optional.ofNullable(user), Optional.ofNullable(grp), uid, gid, passwd, group);
    }

    @Test
    void runningAsTheAskedUserAndGroupIsFineByNameOrNumber() throws Exception {
        assertEquals(List.of(), check("www-data", "www-data", 33, 33));
        assertEquals(List.of(), check("33", "33", 33, 33));
        assertEquals(List.of(), check("root", null, 0, 0));
    }

    @Test
    void rootAsSomeoneElseRefusesToStartNamingTheOption() {
        ConfigException e = assertThrows(ConfigException.class, () -> check("www-data", null, 0, 0));
        assertTrue(e.getMessage().startsWith("http-uid: www-data (uid 33): corerouter runs as root"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> check(null, "www-data", 0, 0));
        assertTrue(e.getMessage().startsWith("http-gid: www-data (gid 33)"), e.getMessage());
    }

    @Test
    void anOrdinaryUserIsWarnedAndTheOptionIgnoredAsUwsgiDoes() throws Exception {
        List<String> warnings = check("www-data", "www-data", 1000, 1000);
        assertEquals(2, warnings.size());
        assertTrue(warnings.get(0).contains("http-uid: www-data (uid 33) ignored: not running as root"), warnings.get(0));
    }

    @Test
    void unknownNamesAreErrors() {
        ConfigException e = assertThrows(ConfigException.class, () -> check("nobody-here", null, 33, 33));
        assertTrue(e.getMessage().startsWith("http-uid: unknown user \"nobody-here\""), e.getMessage());
    }
}

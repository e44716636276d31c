package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.config.RouterConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's option table is the one the parser uses (scripts/update-readme-options.sh). */
class ReadmeOptionsTest {
    @Test
    void readmeListsEverySupportedOptionWithItsDefault() throws Exception {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        String open = "<!-- options:begin -->";
        int begin = text.indexOf(open);
        int end = text.indexOf("<!-- options:end -->", Math.max(begin, 0));
        assertTrue(begin >= 0 && end > begin, "README.md has no options:begin/end markers");
        String documented = text.substring(begin + open.length(), end);
        assertEquals(RouterConfig.optionTable().renderMarkdown().strip(), documented.strip(),
                "README option table is stale: run scripts/update-readme-options.sh");
    }
}

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
        int begin = text.indexOf("<!-- options:begin -->\n");
        int end = text.indexOf("\n<!-- options:end -->");
        assertTrue(begin >= 0 && end > begin, "README.md has no options:begin/end markers");
        String documented = text.substring(begin + "<!-- options:begin -->\n".length(), end);
        assertEquals(RouterConfig.optionTable().renderMarkdown().strip(), documented.strip(),
                "README option table is stale: run scripts/update-readme-options.sh");
    }
}

package io.corerouter.core.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonWriterTest {
    private static JsonWriter sample(boolean minified) {
        return new JsonWriter(minified).beginObject()
                .field("version", "2.0.21")
                .field("pid", 42)
                .name("http").beginArray().value("127.0.0.1:8080").value(":5000").endArray()
                .name("empty").beginArray().endArray()
                .name("subscriptions").beginArray()
                    .beginObject().field("key", "a\"b\\c\n\u0001\u00e9").name("nodes").beginArray().endArray().endObject()
                .endArray()
                .field("cheap", 0)
                .endObject();
    }

    @Test
    void prettyIsUwsgisTabLayout() {
        assertEquals("{\n\t\"version\":\"2.0.21\",\n\t\"pid\":42,\n\t\"http\":[\n\t\t\"127.0.0.1:8080\",\n\t\t\":5000\"\n\t],"
                + "\n\t\"empty\":[],\n\t\"subscriptions\":[\n\t\t{\n\t\t\t\"key\":\"a\\\"b\\\\c\\n\\u0001\\u00e9\",\n"
                + "\t\t\t\"nodes\":[]\n\t\t}\n\t],\n\t\"cheap\":0\n}", sample(false).toString());
    }

    @Test
    void minifiedIsOneLine() {
        assertEquals("{\"version\":\"2.0.21\",\"pid\":42,\"http\":[\"127.0.0.1:8080\",\":5000\"],\"empty\":[],"
                + "\"subscriptions\":[{\"key\":\"a\\\"b\\\\c\\n\\u0001\\u00e9\",\"nodes\":[]}],\"cheap\":0}",
                sample(true).toString());
    }

    @Test
    void bothParseToTheSameDocumentWithEveryByteEscaped() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode pretty = mapper.readTree(sample(false).toString());
        assertEquals(pretty, mapper.readTree(sample(true).toString()));
        assertEquals("a\"b\\c\n\u0001\u00e9", pretty.get("subscriptions").get(0).get("key").asText());
        assertEquals(List.of("version", "pid", "http", "empty", "subscriptions", "cheap"),
                iterable(pretty.fieldNames()));
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}

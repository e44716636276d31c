package io.corerouter.launcher;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of Prometheus's text exposition format 0.0.4 for tests (promtool is not packaged
 * for Debian 12): every sample must belong to a family announced by {@code # TYPE}, label values are
 * unescaped, a histogram's buckets must be cumulative and end with {@code le="+Inf"} equal to its
 * {@code _count}. Fails with the offending line.
 */
final class PromText {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)( \\d+)?$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    /** Family name -> type. */
    final Map<String, String> types = new LinkedHashMap<>();
    /** Series ({@code name{a="b",c="d"}}, labels sorted) -> value. */
    final Map<String, Double> samples = new LinkedHashMap<>();

    static PromText parse(String text) {
        PromText p = new PromText();
        Map<String, Double> lastBucket = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                if (parts.length != 4 || p.types.put(parts[2], parts[3]) != null) {
                    throw new AssertionError("bad or repeated TYPE line: " + line);
                }
                continue;
            }
            if (line.startsWith("#")) {
                continue; // HELP
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("not a sample line: " + line);
            }
            String name = m.group(1);
            Map<String, String> labels = new TreeMap<>();
            if (m.group(3) != null && !m.group(3).isEmpty()) {
                Matcher l = LABEL.matcher(m.group(3));
                int end = 0;
                while (l.find() && l.start() == end) {
                    labels.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\"));
                    end = l.end();
                }
                if (end != m.group(3).length()) {
                    throw new AssertionError("bad labels: " + line);
                }
            }
            double value = parseValue(m.group(4), line);
            String family = family(p, name);
            if (family == null) {
                throw new AssertionError("sample without a TYPE line: " + line);
            }
            if ("histogram".equals(p.types.get(family)) && name.endsWith("_bucket")) {
                Map<String, String> rest = new TreeMap<>(labels);
                rest.remove("le");
                String series = key(family, rest);
                Double previous = lastBucket.put(series, value);
                if (previous != null && value < previous) {
                    throw new AssertionError("histogram buckets not cumulative: " + line);
                }
            }
            p.samples.put(key(name, labels), value);
        }
        for (Map.Entry<String, Double> e : p.samples.entrySet()) {
            String k = e.getKey();
            if (k.contains("_bucket{") && k.contains("le=\"+Inf\"")) {
                String count = k.replace("_bucket{", "_count{").replaceAll(",?le=\"\\+Inf\"", "").replace("{,", "{")
                        .replace("{}", "");
                if (!e.getValue().equals(p.samples.get(count))) {
                    throw new AssertionError("+Inf bucket " + e.getValue() + " != " + count + " " + p.samples.get(count));
                }
            }
        }
        return p;
    }

    private static double parseValue(String text, String line) {
        switch (text) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new AssertionError("bad value: " + line);
                }
        }
    }

    private static String family(PromText p, String name) {
        if (p.types.containsKey(name)) {
            return name;
        }
        for (String suffix : new String[] {"_total", "_bucket", "_count", "_sum", "_created"}) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                if (p.types.containsKey(base)) {
                    return base;
                }
            }
        }
        return null;
    }

    static String key(String name, Map<String, String> labels) {
        if (labels.isEmpty()) {
            return name;
        }
        StringBuilder b = new StringBuilder(name).append('{');
        labels.forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
        b.setLength(b.length() - 1);
        return b.append('}').toString();
    }

    /** The value of {@code name} with exactly {@code labels} (pairs), or NaN when absent. */
    double value(String name, String... labels) {
        Map<String, String> map = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            map.put(labels[i], labels[i + 1]);
        }
        Double v = samples.get(key(name, map));
        return v == null ? Double.NaN : v;
    }
}

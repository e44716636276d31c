package io.corerouter.core.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads uWSGI ini files (uWSGI's {@code core/ini.c}) so that existing uWSGI configurations, and those
 * uwsgiconf generates, run unchanged.
 *
 * <ul>
 *   <li>Only the {@code [uwsgi]} section is read; {@code FILE:section} reads another one. A file
 *       without that section gives a warning.</li>
 *   <li>{@code key = value}, key and value trimmed; {@code _} in a key means {@code -}. A line without
 *       {@code =} sets its key to the empty value. Repeated keys add values in order.</li>
 *   <li>Lines starting with {@code ;} or {@code #} are comments; blank lines are skipped.</li>
 *   <li>Flags take {@code true/false/yes/no/on/off/1/0}; an empty value means true.</li>
 *   <li>{@code %(key)} is replaced by the value most recently set for {@code key} (any key, even one
 *       corerouter ignores, so {@code base = /srv} then {@code chdir = %(base)} works; an option may
 *       also be named by an alias or with {@code _}, and options from the command line count). Magic
 *       variables: {@code %d} (directory of the file, with a trailing {@code /}), {@code %p} (absolute
 *       path), {@code %s} (file name), {@code %n} (file name without extension), {@code %e}
 *       (extension), {@code %c} (name of the containing directory), {@code %x} (file:section),
 *       {@code %k} (CPU cores). Other {@code %} sequences stay as written.</li>
 *   <li>Keys that are not corerouter options ({@code master}, {@code module}, {@code socket}...) are
 *       ignored with one warning per key; {@code ini = other.ini} includes another file.</li>
 * </ul>
 * Files are read as UTF-8. Differences from uWSGI: a placeholder is expanded when its line is read
 * (uWSGI also sees keys set later), an unknown placeholder in a corerouter option is an error (uWSGI
 * leaves the text as is), and a flag with a value that is not a boolean word is an error (uWSGI treats
 * it as true).
 */
public final class IniReader {
    /** The section uWSGI reads by default. */
    public static final String DEFAULT_SECTION = "uwsgi";
    /** Include depth at which an {@code ini =} chain is taken for a cycle. */
    static final int MAX_DEPTH = 16;

    private IniReader() {
    }

    /**
     * Reads one ini file on its own.
     *
     * @param fileSpec {@code path/app.ini} or {@code path/app.ini:section}
     */
    public static ParsedOptions read(String fileSpec, OptionTable table) throws ConfigException {
        ParsedOptions.Builder builder = new ParsedOptions.Builder(table);
        load(fileSpec, builder, 1);
        return builder.build();
    }

    /** Applies the entries of the file to {@code builder}, in order. */
    static void load(String fileSpec, ParsedOptions.Builder builder, int depth) throws ConfigException {
        String ini = CommandLine.INI_OPTION;
        if (depth > MAX_DEPTH) {
            throw new ConfigException(ini + ": " + fileSpec + " is included more than " + MAX_DEPTH
                    + " levels deep (does an ini file include itself?)");
        }
        String fileName = fileSpec;
        String section = DEFAULT_SECTION;
        int colon = fileSpec.lastIndexOf(':');
        if (colon >= 0 && fileSpec.indexOf('/', colon) < 0) {
            fileName = fileSpec.substring(0, colon);
            if (colon + 1 < fileSpec.length()) {
                section = fileSpec.substring(colon + 1);
            }
        }
        Path path;
        List<String> lines;
        try {
            path = Path.of(fileName);
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new ConfigException(ini + ": " + fileName + " is not UTF-8 text");
        } catch (IOException | InvalidPathException e) {
            throw new ConfigException(ini + ": cannot read " + fileName + " (" + e + ")");
        }
        Map<Character, String> magic = magic(path, fileName, section);

        String current = "";
        boolean foundSection = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith(";") || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[")) {
                current = line.substring(1, line.endsWith("]") ? line.length() - 1 : line.length());
                foundSection |= current.equals(section);
                continue;
            }
            if (!current.equals(section)) {
                continue;
            }
            int eq = line.indexOf('=');
            String key = eq < 0 ? line : line.substring(0, eq).strip();
            String raw = eq < 0 ? "" : line.substring(eq + 1).strip();
            entry(key, raw, new ParsedOptions.Source(fileName, i + 1), magic, builder, depth);
        }
        if (!foundSection) {
            builder.warn(fileName + ": no [" + section + "] section, nothing read");
        }
    }

    private static void entry(String key, String raw, ParsedOptions.Source source, Map<Character, String> magic,
                              ParsedOptions.Builder builder, int depth) throws ConfigException {
        Optional<OptionSpec> found = builder.table.lookup(key.replace('_', '-'));
        List<String> unresolved = new ArrayList<>();
        String value = expand(raw, magic, builder, unresolved);
        builder.setPlaceholder(key, value);
        if (found.isEmpty()) {
            builder.warnOnce(key, source + ": ignoring '" + key + "' (not a corerouter option)");
            return;
        }
        OptionSpec spec = found.get();
        if (!unresolved.isEmpty()) {
            throw ConfigException.of(spec.name(), "%(" + unresolved.get(0) + ") is not set before this line", source);
        }
        if (spec.arity() == OptionSpec.Arity.NONE) {
            value = booleanWord(spec.name(), value, source);
        }
        builder.add(spec, value, source);
        if (spec.name().equals(CommandLine.INI_OPTION)) {
            load(value, builder, depth + 1);
        }
    }

    private static String booleanWord(String option, String value, ParsedOptions.Source source)
            throws ConfigException {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "":
            case "true":
            case "yes":
            case "on":
            case "1":
                return "true";
            case "false":
            case "no":
            case "off":
            case "0":
                return "false";
            default:
                throw ConfigException.invalid(option, value, "true/false, yes/no, on/off or 1/0", source);
        }
    }

    /** One pass: replaced text is not scanned again. */
    private static String expand(String raw, Map<Character, String> magic, ParsedOptions.Builder builder,
                                 List<String> unresolved) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        StringBuilder out = new StringBuilder(raw.length());
        int i = 0;
        while (i < raw.length()) {
            char c = raw.charAt(i);
            if (c != '%' || i + 1 >= raw.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = raw.charAt(i + 1);
            int close = next == '(' ? raw.indexOf(')', i + 2) : -1;
            if (close > i + 2) {
                String name = raw.substring(i + 2, close);
                Optional<String> value = builder.placeholder(name)
                        .or(() -> builder.placeholder(builder.table.canonical(name.replace('_', '-'))));
                if (value.isPresent()) {
                    out.append(value.get());
                } else {
                    unresolved.add(name);
                    out.append(raw, i, close + 1);
                }
                i = close + 1;
            } else if (magic.containsKey(next)) {
                out.append(magic.get(next));
                i += 2;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static Map<Character, String> magic(Path path, String fileName, String section) {
        Path absolute = path.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        String name = String.valueOf(absolute.getFileName());
        int dot = name.lastIndexOf('.');
        Map<Character, String> magic = new HashMap<>();
        magic.put('p', absolute.toString());
        magic.put('s', name);
        magic.put('n', dot > 0 ? name.substring(0, dot) : name);
        magic.put('e', dot > 0 ? name.substring(dot + 1) : "");
        magic.put('d', parent == null ? "/" : parent.toString().endsWith("/") ? parent.toString() : parent + "/");
        magic.put('c', parent == null || parent.getFileName() == null ? "" : parent.getFileName().toString());
        magic.put('x', fileName + ':' + section);
        magic.put('k', Integer.toString(Runtime.getRuntime().availableProcessors()));
        return magic;
    }
}

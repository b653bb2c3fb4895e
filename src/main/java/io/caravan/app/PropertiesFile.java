package io.caravan.app;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * One of Caravan's properties files, read as {@link Properties#load(java.io.Reader)} reads it (UTF-8),
 * except that a key given twice is refused: {@code Properties} keeps the last of two lines silently, so
 * two {@code caravan.shares.site=} lines, or a setting changed at the top of a file and again further
 * down, could not be told apart. The file is split into the same logical lines (comments and blank lines
 * skipped, a line ending in an odd number of backslashes continued) and each line's key read as
 * {@code Properties} reads it (separators {@code =}, {@code :} or white space, escapes resolved).
 */
public final class PropertiesFile {

    private PropertiesFile() {
    }

    /**
     * The properties of {@code file}; an {@link IllegalArgumentException} naming the file, the key and the
     * lines of its first two occurrences when a key is given twice.
     */
    public static Properties load(Path file) throws IOException {
        return load(Files.readString(file, StandardCharsets.UTF_8), file.toAbsolutePath().toString());
    }

    /** As {@link #load(Path)}, for {@code text} read from {@code name}. */
    public static Properties load(String text, String name) throws IOException {
        Map<String, Integer> firstLines = new HashMap<>();
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int start = i + 1;
            String line = stripLeading(lines[i]);
            if (line.isEmpty() || line.charAt(0) == '#' || line.charAt(0) == '!') {
                continue;
            }
            StringBuilder logical = new StringBuilder();
            while (endsInAnEscapedLineBreak(line) && i + 1 < lines.length) {
                logical.append(line, 0, line.length() - 1);
                line = stripLeading(lines[++i]);
            }
            logical.append(endsInAnEscapedLineBreak(line) ? line.substring(0, line.length() - 1) : line);
            String key = keyOf(logical.toString());
            Integer before = firstLines.putIfAbsent(key, start);
            if (before != null) {
                throw new IllegalArgumentException(name + ": " + key + " is given twice, on lines " + before + " and "
                        + start + " (only the last would count): keep one");
            }
        }
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        return properties;
    }

    private static String keyOf(String logicalLine) throws IOException {
        Properties one = new Properties();
        one.load(new StringReader(logicalLine));
        return one.stringPropertyNames().iterator().next();
    }

    private static boolean endsInAnEscapedLineBreak(String line) {
        int backslashes = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    private static String stripLeading(String line) {
        int i = 0;
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t' || line.charAt(i) == '\f')) {
            i++;
        }
        return line.substring(i);
    }
}

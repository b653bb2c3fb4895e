package io.caravan.sync;

import io.caravan.fs.FsMessages;
import io.caravan.fs.LinkTargets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * rsync-style include and exclude rules over relative paths. The first rule that matches decides
 * (as rsync's filter rules and Syncthing's {@code .stignore}); an entry below an excluded folder is
 * excluded whatever the later rules say, since the folder is never entered.
 */
public final class PathFilter {

    private static final Logger LOG = LoggerFactory.getLogger(PathFilter.class);

    /** The ignore file honoured in a source root: one pattern per line, {@code #} comments, {@code !pattern} re-includes. */
    public static final String IGNORE_FILE = ".caravanignore";

    /** One rule: a pattern that includes or excludes what it matches. */
    public record Rule(boolean include, String pattern) {

        public static Rule include(String pattern) {
            return new Rule(true, pattern);
        }

        public static Rule exclude(String pattern) {
            return new Rule(false, pattern);
        }
    }

    public static final PathFilter NONE = new PathFilter(List.of(), List.of());

    private final List<Rule> rules;
    private final List<GlobPattern> patterns;
    private final boolean safeLinks;

    private PathFilter(List<Rule> rules, List<GlobPattern> patterns) {
        this(rules, patterns, false);
    }

    private PathFilter(List<Rule> rules, List<GlobPattern> patterns, boolean safeLinks) {
        this.rules = rules;
        this.patterns = patterns;
        this.safeLinks = safeLinks;
    }

    /** This filter, also leaving out links that point outside the tree when {@code skip} (rsync's --safe-links). */
    public PathFilter withSafeLinks(boolean skip) {
        return skip == safeLinks ? this : new PathFilter(rules, patterns, skip);
    }

    /** Whether the link at {@code relative} (to {@code target}) is left out: --safe-links and it points outside the tree. */
    public boolean skipsLink(String relative, String target) {
        return safeLinks && LinkTargets.leavesItsTree("root/" + relative, target);
    }

    /** The rules in order; patterns that can match nothing (empty, only slashes) are dropped. */
    public static PathFilter of(List<Rule> rules) {
        List<Rule> kept = new ArrayList<>();
        List<GlobPattern> patterns = new ArrayList<>();
        for (Rule rule : rules) {
            GlobPattern pattern = GlobPattern.compile(rule.pattern());
            if (pattern != null) {
                kept.add(rule);
                patterns.add(pattern);
            }
        }
        return kept.isEmpty() ? NONE : new PathFilter(List.copyOf(kept), List.copyOf(patterns));
    }

    /** The largest ignore file read (bytes); a larger one is ignored with a warning. */
    public static final int MAX_IGNORE_FILE = 1 << 20;

    /**
     * {@code rules}, then those of {@code root/.caravanignore} when it is a file (a tree of one's own:
     * an ignore file over {@link #MAX_IGNORE_FILE} bytes is an {@link IOException}, one that is not
     * UTF-8 a {@link java.nio.charset.CharacterCodingException}).
     */
    public static PathFilter load(Path root, List<Rule> rules) throws IOException {
        byte[] bytes = ignoreFile(root);
        if (bytes == null) {
            return of(rules);
        }
        if (bytes.length > MAX_IGNORE_FILE) {
            throw new IOException(root.resolve(IGNORE_FILE) + " is larger than " + MAX_IGNORE_FILE + " bytes");
        }
        String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        return withIgnoreFile(rules, text);
    }

    /**
     * As {@link #load}, for a tree that came from elsewhere (a followed share): its ignore file never
     * fails a pass. Bytes that are not UTF-8 are read as U+FFFD (with a warning); a file over
     * {@link #MAX_IGNORE_FILE} bytes, or one that cannot be read, is ignored with a warning.
     */
    public static PathFilter loadShared(Path root, List<Rule> rules) {
        byte[] bytes;
        try {
            bytes = ignoreFile(root);
        } catch (IOException e) {
            LOG.warn("{} cannot be read ({}): its rules are not used", root.resolve(IGNORE_FILE), FsMessages.reason(e));
            return of(rules);
        }
        if (bytes == null) {
            return of(rules);
        }
        if (bytes.length > MAX_IGNORE_FILE) {
            LOG.warn("{} is larger than {} bytes: its rules are not used", root.resolve(IGNORE_FILE), MAX_IGNORE_FILE);
            return of(rules);
        }
        String text = new String(bytes, StandardCharsets.UTF_8); // what is not UTF-8 becomes U+FFFD
        if (!Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes)) {
            LOG.warn("{} is not valid UTF-8: the bytes that are not were read as U+FFFD", root.resolve(IGNORE_FILE));
        }
        return withIgnoreFile(rules, text);
    }

    /** The first {@link #MAX_IGNORE_FILE} + 1 bytes of the root's ignore file, or null when it is not a file. */
    private static byte[] ignoreFile(Path root) throws IOException {
        Path file = root.resolve(IGNORE_FILE);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return in.readNBytes(MAX_IGNORE_FILE + 1);
        }
    }

    private static PathFilter withIgnoreFile(List<Rule> rules, String text) {
        List<Rule> all = new ArrayList<>(rules);
        all.addAll(parseIgnoreFile(text.lines().toList()));
        return of(all);
    }

    /**
     * The rules of an ignore file: each line a pattern to exclude, {@code !pattern} to include,
     * {@code #} starts a comment line, {@code \#} and {@code \!} a pattern that begins with that
     * character; blank lines and the spaces around a line are ignored.
     */
    public static List<Rule> parseIgnoreFile(List<String> lines) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("!")) {
                rules.add(Rule.include(line.substring(1)));
            } else {
                rules.add(Rule.exclude(line.startsWith("\\#") || line.startsWith("\\!") ? line.substring(1) : line));
            }
        }
        return rules;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    public List<Rule> rules() {
        return rules;
    }

    /**
     * True when {@code path} (relative, {@code /}-separated; {@code dir} if it is a folder) or a folder above it is excluded.
     * Each pattern runs once over the path, deciding the folders above it and the path together.
     */
    public boolean excludes(String path, boolean dir) {
        if (rules.isEmpty()) {
            return false;
        }
        int[] chars = path.codePoints().toArray();
        boolean[][] matched = new boolean[patterns.size()][];
        for (int i = 0; i < patterns.size(); i++) {
            matched[i] = patterns.get(i).leadingMatches(chars);
        }
        for (int k = 0; k < chars.length; k++) {
            if (chars[k] == '/' && firstMatch(matched, k, true) == Boolean.FALSE) {
                return true;
            }
        }
        return firstMatch(matched, chars.length, dir) == Boolean.FALSE;
    }

    /** Whether the first rule matching the path's first {@code end} characters includes it; null when none does. */
    private Boolean firstMatch(boolean[][] matched, int end, boolean dir) {
        for (int i = 0; i < patterns.size(); i++) {
            if (matched[i][end] && patterns.get(i).takes(dir)) {
                return rules.get(i).include();
            }
        }
        return null;
    }

    /** The entries that are not excluded (the same map when there are no rules). */
    public Map<String, SyncEntry> retain(Map<String, SyncEntry> entries) {
        if (rules.isEmpty()) {
            return entries;
        }
        Map<String, SyncEntry> kept = new TreeMap<>();
        entries.forEach((path, entry) -> {
            if (!excludes(path, entry.type() == SyncEntry.Type.DIR)) {
                kept.put(path, entry);
            }
        });
        return kept;
    }

}

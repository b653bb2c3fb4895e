package io.caravan.sync;

import io.caravan.fs.NameRules;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * A source tree as a mirror can hold it, so that what one pass applies is exactly what the next pass
 * finds. Modes keep the permission bits ({@code 0777}) and, for folders, the sticky bit ({@code 01000});
 * setuid, setgid and a file's sticky bit are never applied, so they are not compared either. An entry
 * below a file or a link of the tree cannot be written (nothing is ever written through a link, and a
 * file holds nothing): it is left out, so the file or link stays and the pass does not make the folder
 * the entry needs, only to have the next pass put the link back.
 */
public final class ListedTree {

    /** The mode bits a mirrored file keeps. */
    public static final int FILE_MODE_BITS = 0777;
    /** The mode bits a mirrored folder keeps: its permissions and the sticky bit. */
    public static final int DIR_MODE_BITS = 01777;

    private ListedTree() {
    }

    /** The bits of {@code mode} an entry of {@code type} keeps in a mirror. */
    public static int kept(SyncEntry.Type type, int mode) {
        return switch (type) {
            case FILE -> mode & FILE_MODE_BITS;
            case DIR -> mode & DIR_MODE_BITS;
            case LINK -> mode;
        };
    }

    /**
     * {@code source} as a mirror holds it: modes cut to what it {@link #kept keeps}, and each entry below a
     * file or a link of the tree left out, given to {@code refused} with why (the top-most only: what is
     * below it goes with it). {@code source} itself when nothing changes.
     */
    public static Map<String, SyncEntry> mirrorable(Map<String, SyncEntry> source, BiConsumer<String, String> refused) {
        TreeMap<String, SyncEntry> sorted = source instanceof TreeMap<String, SyncEntry> t ? t : new TreeMap<>(source);
        TreeMap<String, SyncEntry> tree = null; // made when something changes
        for (Map.Entry<String, SyncEntry> e : sorted.entrySet()) {
            String path = e.getKey();
            SyncEntry entry = e.getValue();
            if (tree != null && !tree.containsKey(path)) {
                continue; // below an entry left out
            }
            int mode = kept(entry.type(), entry.mode());
            if (mode != entry.mode()) {
                tree = tree != null ? tree : new TreeMap<>(sorted);
                tree.put(path, new SyncEntry(entry.path(), entry.type(), entry.size(), entry.mtime(), mode, entry.target(),
                        entry.sha256()));
            }
            SortedMap<String, SyncEntry> below = sorted.subMap(path + "/", path + "0"); // '0' follows '/': every path below
            if (entry.type() != SyncEntry.Type.DIR && !below.isEmpty()) {
                tree = tree != null ? tree : new TreeMap<>(sorted);
                String why = "it would be below " + describe(entry);
                for (String inside : TreeDiff.topMost(below.keySet())) {
                    refused.accept(inside, why);
                }
                tree.keySet().removeAll(below.keySet());
            }
        }
        return tree == null ? source : tree;
    }

    /**
     * {@code tree} without the entries whose paths break the {@link NameRules} (a receiver refuses them:
     * {@code .caravan} or {@code .caravan-*} at any depth, a control character, a backslash, a length), each
     * top-most one given to {@code refused} with the rule it breaks (what is below it breaks it as well and
     * goes with it). {@code tree} itself when every name is allowed.
     */
    public static Map<String, SyncEntry> named(Map<String, SyncEntry> tree, BiConsumer<String, String> refused) {
        Map<String, String> broken = new TreeMap<>();
        for (String path : tree.keySet()) {
            String problem = NameRules.problem(path);
            if (problem != null) {
                broken.put(path, problem);
            }
        }
        if (broken.isEmpty()) {
            return tree;
        }
        for (String top : TreeDiff.topMost(broken.keySet())) {
            refused.accept(top, broken.get(top));
        }
        Map<String, SyncEntry> kept = new TreeMap<>(tree);
        kept.keySet().removeAll(broken.keySet());
        return kept;
    }

    /** The first folder above {@code path} that {@code tree} holds as a file or a link (described), or null. */
    public static String belowNonFolder(String path, Map<String, SyncEntry> tree) {
        for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
            SyncEntry above = tree.get(path.substring(0, slash));
            if (above != null && above.type() != SyncEntry.Type.DIR) {
                return describe(above);
            }
        }
        return null;
    }

    private static String describe(SyncEntry above) {
        return "the " + above.type().name().toLowerCase(Locale.ROOT) + " '" + NameRules.printable(above.path())
                + "', and nothing is ever written through one";
    }
}

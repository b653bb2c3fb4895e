package io.caravan.catalog;

import io.caravan.fs.NameRules;
import io.caravan.pack.PackHooks;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The packing of a published entry for downloads (its chunks, its zip and tar.zst archives) leaves out what
 * holds a name that is not UTF-8 (put there by another program: it can be neither read by the name Java
 * gives it nor named in a manifest or an archive), so the rest of the parcel is still served, a complete
 * archive; one WARN line then names the parcel, how many entries were left out and the first few, by their
 * place and their bytes ({@code \xNN} where not UTF-8).
 */
final class LeftOutNames implements PackHooks {

    private static final Logger LOG = LoggerFactory.getLogger(LeftOutNames.class);
    private static final int NAMED = 10;

    private final List<String> first = new ArrayList<>();
    private long count;

    @Override
    public boolean leavesOutUnreadable(String name) {
        if (first.size() < NAMED) {
            first.add(NameRules.printable(name));
        }
        count++;
        return true;
    }

    /** Logs what was left out of the packing of {@code parcel}, if anything. */
    void report(String parcel) {
        if (count > 0) {
            LOG.warn("catalog: '{}' holds {} entr{} whose name is not UTF-8, left out of its downloads (the rest is served): {}{};"
                            + " rename {} on the receiver to serve {}", NameRules.printable(parcel), count, count == 1 ? "y" : "ies",
                    String.join(", ", first), count > NAMED ? ", ..." : "", count == 1 ? "it" : "them", count == 1 ? "it" : "them");
        }
    }
}

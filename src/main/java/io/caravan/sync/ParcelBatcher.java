package io.caravan.sync;

import java.util.ArrayList;
import java.util.List;

/**
 * Groups the entries of a pass into parcels: small entries together up to {@code maxBytes} or
 * {@code maxEntries} per parcel, a file of at least {@code largeFile} bytes alone (so its progress
 * can be shown and its failure costs only itself).
 */
public record ParcelBatcher(long maxBytes, int maxEntries, long largeFile) {

    public static final ParcelBatcher DEFAULT = new ParcelBatcher(64L << 20, 2_000, 16L << 20);

    /** True for a parcel of one large file, which travels alone. */
    public boolean alone(List<SyncEntry> batch) {
        return batch.size() == 1 && batch.get(0).size() >= largeFile;
    }

    public List<List<SyncEntry>> batches(List<SyncEntry> entries) {
        List<List<SyncEntry>> parcels = new ArrayList<>();
        List<SyncEntry> current = new ArrayList<>();
        long bytes = 0;
        for (SyncEntry entry : entries) {
            if (entry.size() >= largeFile) {
                parcels.add(List.of(entry));
                continue;
            }
            if (!current.isEmpty() && (current.size() >= maxEntries || bytes + entry.size() > maxBytes)) {
                parcels.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(entry);
            bytes += entry.size();
        }
        if (!current.isEmpty()) {
            parcels.add(current);
        }
        return parcels;
    }
}

package io.caravan.catalog;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The receiver's record of published parcels, the read side's source of truth. Contract, for every
 * implementation (disk today, a shared database for receivers that scale out):
 * <ul>
 * <li>{@link #record} is called after the publish's rename, and each call for the same name returns a
 *     {@code generation} strictly greater than any returned before for that name, also across
 *     restarts and across receivers sharing the catalog; a reader that saw generation N and now sees
 *     another knows the parcel was republished in between;</li>
 * <li>a recorded parcel stays listed at least until it is recorded again, even if its entry was
 *     removed meanwhile (callers check that the entry still exists before serving it);</li>
 * <li>{@link #list} is ordered by name and pages with {@code after} (the last name of the previous
 *     page), so concurrent records never make a reader skip or repeat a name that existed throughout;</li>
 * <li>a crash during {@link #record} leaves either the old record or the new one, never a torn one.</li>
 * </ul>
 */
public interface ParcelCatalog {

    /** Records a publish of {@code name} (a path relative to the inbox); returns the record with its new generation. */
    PublishedParcel record(String name, String kind, long files, long bytes, String codec) throws IOException;

    /** The latest record of {@code name}; empty when that name was never published. */
    Optional<PublishedParcel> find(String name) throws IOException;

    /**
     * Up to {@code limit} records ordered by name: names starting with {@code prefix} (empty: all),
     * published at or after {@code since} (null: any time), after the name {@code after} (null: from the start).
     */
    List<PublishedParcel> list(String prefix, Instant since, String after, int limit) throws IOException;
}

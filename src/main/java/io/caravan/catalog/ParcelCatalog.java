package io.caravan.catalog;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The receiver's record of published parcels, the read side's source of truth. Contract, for every
 * implementation (disk today, a shared database for receivers that scale out):
 * <ul>
 * <li><b>What a record holds.</b> One {@link PublishedParcel} per name (a path relative to the inbox):
 *     its kind ({@code file} or {@code folder}), how many files and bytes the publish wrote, when it
 *     was recorded (UTC, milliseconds), the codec it travelled with, its generation and the SHA-256 the publish verified. The bytes
 *     themselves are not in the catalog: they are the entry in the inbox, and the read side derives
 *     the manifest it serves (chunking, SHA-256 of each chunk) from that entry, named by an ETag that
 *     covers the generation and the entry's identity. The sender's own manifest is not kept (the
 *     read side's is derived deterministically from the entry).</li>
 * <li><b>When.</b> {@link #record} is called after the publish's rename, so a recorded parcel is in
 *     the inbox when its record can be seen; a publish whose record failed is still published (the
 *     record follows at its next publish).</li>
 * <li><b>Republish.</b> Each call for the same name replaces the record and returns a
 *     {@code generation} strictly greater than any returned before for that name, also across
 *     restarts and across receivers sharing the catalog; a reader that saw generation N and now sees
 *     another knows the parcel was republished in between (a chunk asked for with the old ETag is
 *     answered 412, {@link RepublishedException}). Only the latest record of a name is kept.</li>
 * <li><b>Changes inside.</b> {@link #changed} gives a new generation (as a republish does) to every
 *     recorded parcel that is the changed path, holds it (an ancestor folder) or lies inside it, so the
 *     ETag of each parcel whose content the receiver changed (a publish below a published folder, a
 *     mirror's apply, renames and deletions) names a new state.</li>
 * <li><b>Retention.</b> A recorded parcel stays listed at least until it is recorded again, and in any
 *     case at least a session lifetime after it was recorded, even if its entry was removed meanwhile
 *     (callers check that the entry still exists before serving it);</li>
 * <li><b>Listing.</b> {@link #list} is ordered by name, code point by code point ({@link io.caravan.util.CodePointOrder}: the
 *     names' UTF-8 bytes), and pages with {@code after} (the last name of
 *     the previous page), so concurrent records never make a reader skip or repeat a name that
 *     existed throughout;</li>
 * <li><b>Crashes and concurrency.</b> A crash during {@link #record} leaves either the old record or the
 *     new one, never a torn one; two records of one name at once both get distinct generations, and
 *     the one with the greater generation is the one found afterwards.</li>
 * </ul>
 */
public interface ParcelCatalog {

    /** Records a publish of {@code name} (a path relative to the inbox); returns the record with its new generation. */
    PublishedParcel record(String name, String kind, long files, long bytes, String codec, String sha256) throws IOException;

    /**
     * Something at or below {@code path} (relative to the inbox) changed: every recorded parcel named
     * {@code path}, a folder above it or an entry below it gets a new generation and the current time;
     * returns those records.
     */
    List<PublishedParcel> changed(String path) throws IOException;

    /** The latest record of {@code name}; empty when that name was never published. */
    Optional<PublishedParcel> find(String name) throws IOException;

    /**
     * Up to {@code limit} records ordered by name: names starting with {@code prefix} (empty: all),
     * published at or after {@code since} (null: any time), after the name {@code after} (null: from the start).
     */
    List<PublishedParcel> list(String prefix, Instant since, String after, int limit) throws IOException;
}

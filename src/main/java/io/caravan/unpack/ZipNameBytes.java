package io.caravan.unpack;

import io.caravan.fs.NameRules;
import org.apache.commons.compress.archivers.zip.UnicodePathExtraField;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;

/**
 * The bytes a zip entry's name has, checked to be UTF-8 before the entry is extracted. The zip reader
 * decodes names leniently (a byte that is not UTF-8 becomes U+FFFD), so two names that differ only in
 * such bytes would land on one file: {@link #refuseNotUtf8} refuses the entry instead, naming its bytes
 * ({@code top/a\xffb}), as {@link TarNameBytes} does for a tar. The bytes checked are those the name was
 * read from: the name field (marked UTF-8 by the zip's language encoding flag or not), or the Info-ZIP
 * Unicode path extra field when the reader took the name from it.
 */
final class ZipNameBytes {

    private static final String REMEDY = ": re-create the zip with UTF-8 names (for example with zip or 7z"
            + " on a system whose locale is UTF-8), or unpack it with a tool that converts its names";

    private ZipNameBytes() {
    }

    /** Refuses {@code entry} when the bytes its name was read from are not UTF-8. */
    static void refuseNotUtf8(ZipArchiveEntry entry) {
        byte[] name = entry.getRawName();
        String marked = "the zip does not mark it UTF-8";
        if (entry.getNameSource() == ZipArchiveEntry.NameSource.UNICODE_EXTRA_FIELD
                && entry.getExtraField(UnicodePathExtraField.UPATH_ID) instanceof UnicodePathExtraField unicode) {
            name = unicode.getUnicodeName();
            marked = "its Unicode path field says it is UTF-8";
        } else if (entry.getGeneralPurposeBit().usesUTF8ForNames()) {
            marked = "the zip marks it UTF-8";
        }
        if (name != null && !NameRules.utf8(name)) {
            throw new UnsafeEntryException(NameRules.shownBytes(name), "its name is not UTF-8 (" + marked + ")" + REMEDY);
        }
    }

    /** Refuses the symbolic link {@code entry} when its {@code target} (its content) is not UTF-8. */
    static void refuseLinkNotUtf8(ZipArchiveEntry entry, byte[] target) {
        if (!NameRules.utf8(target)) {
            throw new UnsafeEntryException(entry.getName(), "its link target '" + NameRules.shownBytes(target)
                    + "' is not UTF-8" + REMEDY);
        }
    }
}

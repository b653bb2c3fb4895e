package io.caravan.receiver;

import io.caravan.fs.NameRules;

/**
 * Checks a parcel name given by a sender: a relative path inside the inbox that follows the
 * {@link NameRules} (a trailing {@code /} means "into that folder"); refusals are 400s naming the rule.
 */
public final class ParcelNames {

    private ParcelNames() {
    }

    public static String check(String name) {
        return name == null ? null : NameRules.check(name);
    }
}

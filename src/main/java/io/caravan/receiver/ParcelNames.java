package io.caravan.receiver;

import io.caravan.session.RequestRejectedException;

/** Checks a parcel name given by a sender: a relative path inside the inbox, not touching its state folder. */
final class ParcelNames {

    private ParcelNames() {
    }

    static String check(String name) {
        if (name == null) {
            return null;
        }
        if (name.isBlank() || name.startsWith("/") || name.indexOf('\0') >= 0 || name.indexOf('\\') >= 0) {
            throw RequestRejectedException.badRequest("name '" + name + "' must be a relative path such as 'reports' or 'backup/reports'");
        }
        for (String segment : name.split("/")) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.startsWith(".caravan")) {
                throw RequestRejectedException.badRequest("name '" + name + "' has a forbidden part '" + segment + "'");
            }
        }
        return name;
    }
}

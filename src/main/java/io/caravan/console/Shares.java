package io.caravan.console;

import java.util.List;

/**
 * The shares a receiver offers ({@code caravan.shares.<name>}) and who follows each, as the console
 * lists them; {@link #NONE} lists none, and the console shows its shares section only when a list is not empty.
 */
public interface Shares {

    Shares NONE = List::of;

    /** One share: its name and the clients that follow it. */
    record Share(String name, List<String> followers) {
    }

    /** The shares now, in the order to show them. */
    List<Share> list();
}

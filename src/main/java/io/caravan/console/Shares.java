package io.caravan.console;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The shares a receiver offers ({@code caravan.shares.<name>}) and who follows each, as the console
 * lists them; {@link #NONE} lists none, and the console shows its shares section only when a list is not empty.
 */
public interface Shares {

    Shares NONE = List::of;

    /**
     * One share: its name, the clients that follow it (at most {@link ConsoleOverview#ROWS}, the most
     * recently connected first) and how many follow it in all.
     */
    @JsonPropertyOrder({"name", "followers", "followers_total"})
    record Share(String name, List<String> followers, @JsonProperty("followers_total") int followersTotal) {

        /** The share {@code name} with all its {@code followers}, the most recently connected first: the first ones are kept. */
        public Share(String name, List<String> followers) {
            this(name, List.copyOf(followers.subList(0, Math.min(ConsoleOverview.ROWS, followers.size()))), followers.size());
        }
    }

    /** The shares now, in the order to show them. */
    List<Share> list();
}

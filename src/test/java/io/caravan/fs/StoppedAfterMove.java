package io.caravan.fs;

/**
 * Stops the calling thread right after its nth move (a rename or an exchange in a {@link ConfinedDir}) the way a
 * killed process stops there: by an error that no clean-up of the product catches, so whatever the moves so far
 * left on disk stays as it is, for a restart to find.
 */
public final class StoppedAfterMove extends Error {

    /** Work that moves entries. */
    public interface Moves {
        void run() throws Exception;
    }

    private StoppedAfterMove(int n) {
        super("stopped right after move " + n, null, false, false);
    }

    /** Runs {@code moves}, stopped right after its {@code n}th move; false when it ended having made fewer. */
    public static boolean stopAfter(int n, Moves moves) throws Exception {
        int[] made = {0};
        ConfinedDir.AFTER_MOVE.set(() -> {
            if (++made[0] == n) {
                throw new StoppedAfterMove(n);
            }
        });
        try {
            moves.run();
            return false;
        } catch (StoppedAfterMove stopped) {
            return true;
        } finally {
            ConfinedDir.AFTER_MOVE.remove();
        }
    }
}

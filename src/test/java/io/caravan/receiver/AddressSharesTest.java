package io.caravan.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.util.DirectMemoryBudget;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * One client address's bodies hold at most its share of the direct-memory budget (half by default) only while
 * another address waits for room: alone, or with its own bodies waiting (clients behind one proxy), an address
 * takes all the budget has; an address holding nothing may always send one body; a body that arrived no longer counts.
 */
class AddressSharesTest {

    private static final long MIB = 1 << 20;
    private final DirectMemoryBudget budget = new DirectMemoryBudget(DirectMemoryBudget.SETTING, 8 * MIB);
    private final AddressShares shares = new AddressShares(budget, 50);

    @Test
    void anAddressIsHeldToItsShareOnlyWhileAnotherWaits() throws Exception {
        InetAddress one = InetAddress.getByName("192.0.2.1");
        InetAddress other = InetAddress.getByName("192.0.2.2");
        for (int i = 0; i < 6; i++) {
            assertThat(shares.admit(one, MIB)).as("body %d, nobody waiting", i).isNull();
        }
        shares.refused(one);
        assertThat(shares.admit(one, MIB)).as("its own bodies waiting").isNull();

        shares.refused(other);
        assertThat(shares.admit(one, MIB)).as("another address waiting")
                .contains("caravan.receiver.address-share=50%", "192.0.2.1", "7340032 bytes");
        assertThat(shares.admit(other, 3 * MIB)).as("the address holding nothing").isNull();
        assertThat(shares.admit(other, MIB)).as("within its half").isNull();
        assertThat(shares.admit(other, MIB)).as("beyond its half, the first address having waited too").isNotNull();

        for (int i = 0; i < 4; i++) {
            shares.sent(one, MIB);
        }
        assertThat(shares.admit(one, MIB)).as("once its bodies arrived, within its half again").isNull();
    }
}

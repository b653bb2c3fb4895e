package io.caravan.share;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.sync.SyncEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A fetch whose writing into the mirror fails (a full disk, say) ends at once with that reason: it is
 * not taken for a broken connection, asked again with a range and then reported as what the server
 * answered to that.
 */
class LocalWriteFailureTest {

    FakeShare share;

    @BeforeEach
    void start() throws Exception {
        share = new FakeShare();
    }

    @AfterEach
    void stop() {
        share.close();
    }

    @Test
    void aFullDiskIsReportedAsSuchAndNotAskedAgain() throws Exception {
        share.file("big.bin", new byte[300_000]);
        List<String> refused = new CopyOnWriteArrayList<>();
        ShareClient client = new ShareClient(share.url(), null, "t", null, refused::add);
        SyncEntry entry = new SyncEntry("big.bin", SyncEntry.Type.FILE, 300_000, 2_000_000_000_000L, 0644, null, null);
        OutputStream disk = new OutputStream() {
            long written;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if ((written += len) > 100_000) {
                    throw new IOException("No space left on device");
                }
            }
        };

        assertThatThrownBy(() -> client.fetch(entry, disk)).isInstanceOf(IOException.class)
                .hasMessageContaining("No space left on device").hasMessageContaining("big.bin")
                .hasMessageNotContaining("answered");
        assertThat(share.served).as("requests for the file").hasValue(1);
    }
}

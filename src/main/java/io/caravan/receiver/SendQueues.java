package io.caravan.receiver;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * How many bytes a connection's kernel still holds for its client (sent but not acknowledged, or not
 * sent yet), as Linux lists it per connection ({@code tx_queue} of {@code /proc/self/net/tcp} and
 * {@code tcp6}). It shrinks whenever the client takes bytes, even while the kernel takes nothing more
 * from the receiver: a large send buffer reopens only once a third of it has drained, so a client
 * reading slowly can take bytes for a long time while the receiver sees none of its own leave.
 */
final class SendQueues {

    /** Nothing known (another system, or the connection is not listed). */
    static final long UNKNOWN = -1;

    private static final List<Path> TABLES = List.of(Path.of("/proc/self/net/tcp"), Path.of("/proc/self/net/tcp6"));
    private static final String ESTABLISHED = "01";

    private SendQueues() {
    }

    /** Bytes the kernel holds for the established connection from {@code local} to {@code remote}; {@link #UNKNOWN} when it cannot tell. */
    static long unsent(SocketAddress local, SocketAddress remote) {
        if (!(local instanceof InetSocketAddress from) || !(remote instanceof InetSocketAddress to)) {
            return UNKNOWN;
        }
        String localPort = ":" + hexPort(from.getPort());
        List<String> remotes = listed(to);
        for (Path table : TABLES) {
            try (BufferedReader lines = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
                lines.readLine(); // the column names
                for (String line; (line = lines.readLine()) != null; ) {
                    String[] fields = line.trim().split("\\s+", 6);
                    if (fields.length >= 5 && fields[1].endsWith(localPort) && remotes.contains(fields[2])
                            && ESTABLISHED.equals(fields[3])) {
                        int colon = fields[4].indexOf(':');
                        return colon < 0 ? UNKNOWN : Long.parseLong(fields[4].substring(0, colon), 16);
                    }
                }
            } catch (IOException | RuntimeException unreadable) {
                // not Linux, or a table of another shape: try the next, else nothing known
            }
        }
        return UNKNOWN;
    }

    /**
     * How the tables may name {@code address}: each 32-bit word of the address in the machine's byte order
     * in hexadecimal, a colon and the port; an IPv4 address also as IPv4-mapped IPv6 (a socket of an IPv6 server).
     */
    static List<String> listed(InetSocketAddress address) {
        String port = ":" + hexPort(address.getPort());
        byte[] bytes = address.getAddress() == null ? new byte[0] : address.getAddress().getAddress();
        if (bytes.length == 4) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(bytes, 0, mapped, 12, 4);
            return List.of(words(bytes) + port, words(mapped) + port);
        }
        return List.of(words(bytes) + port);
    }

    private static String words(byte[] address) {
        ByteBuffer raw = ByteBuffer.wrap(address).order(ByteOrder.nativeOrder());
        StringBuilder hex = new StringBuilder();
        while (raw.remaining() >= Integer.BYTES) {
            hex.append(String.format(Locale.ROOT, "%08X", raw.getInt()));
        }
        return hex.toString();
    }

    private static String hexPort(int port) {
        return String.format(Locale.ROOT, "%04X", port);
    }
}

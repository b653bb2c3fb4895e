package io.caravan.catalog;

import io.caravan.session.RequestRejectedException;
import io.caravan.util.DirectMemoryBudget;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.netty.NettyConstants;

/**
 * The direct memory that the answers sent piece by piece ({@link PieceAnswer}: files, chunks, bundles,
 * archives, listings) may hold at once, whether their clients read or not
 * ({@code caravan.receiver.answer-memory}). Netty asks an answer for a piece only while less than its
 * connection's write high-water mark waits to be sent, and a piece is never larger than what is left
 * below that mark (at least {@link PieceAnswer#MIN_PIECE}): so an answer never holds more than the
 * mark and two smallest pieces, and that is what each admitted answer reserves here until it ends.
 * A request whose answer finds the budget taken is refused at once, 503 {@code busy} with
 * {@code Retry-After}, before anything of it is sent: clients that never read cannot take the direct
 * memory the event-loop threads need, so none of them ever waits for it. The same reservation is taken
 * from the receiver's whole {@link DirectMemoryBudget} too, which upload bodies share: an answer
 * is refused the same way when that has no room.
 */
public final class AnswerMemory {

    /** The name under which the receiver binds its budget in the Camel registry. */
    public static final String BEAN = "answerMemory";
    /** The budget unless configured: a quarter of the launcher's 128 MiB of direct memory. */
    public static final String DEFAULT = "32MiB";

    private final DirectMemoryBudget answers;
    private final DirectMemoryBudget whole;

    /** At most {@code limit} bytes for answers, out of {@code whole}, the receiver's direct memory. */
    public AnswerMemory(long limit, DirectMemoryBudget whole) {
        this.answers = new DirectMemoryBudget("caravan.receiver.answer-memory", limit);
        this.whole = whole;
    }

    /** Bytes reserved by the answers being sent now. */
    public long held() {
        return answers.held();
    }

    /**
     * Makes {@code answer} one of the budget of {@code exchange}'s receiver (bound in its registry as
     * {@link #BEAN}) and sizes its pieces by its connection; without a budget or outside Netty it is
     * returned as it is. When the budget has no room for it, {@code answer} is closed and 503 {@code busy}
     * thrown.
     */
    public static <A extends PieceAnswer> A admit(Exchange exchange, A answer) throws Exception {
        ChannelHandlerContext context = exchange.getMessage()
                .getHeader(NettyConstants.NETTY_CHANNEL_HANDLER_CONTEXT, ChannelHandlerContext.class);
        AnswerMemory memory = exchange.getContext().getRegistry().lookupByNameAndType(BEAN, AnswerMemory.class);
        if (context == null || memory == null) {
            return answer;
        }
        Channel channel = context.channel();
        long need = channel.config().getWriteBufferHighWaterMark() + 2L * PieceAnswer.MIN_PIECE;
        if (!memory.answers.reserve(need)) {
            answer.close();
            throw new RequestRejectedException(503, "busy", "this receiver's answers hold all the memory they may"
                    + " (" + memory.answers.named() + ") for clients that have not taken them yet; retry later");
        }
        if (!memory.whole.reserve(need)) {
            memory.answers.release(need);
            answer.close();
            throw new RequestRejectedException(503, "busy", "this receiver's upload bodies and answers hold all the"
                    + " direct memory they may (" + memory.whole.named() + "); retry later");
        }
        answer.boundTo(channel, () -> {
            memory.whole.release(need);
            memory.answers.release(need);
        });
        return answer;
    }
}

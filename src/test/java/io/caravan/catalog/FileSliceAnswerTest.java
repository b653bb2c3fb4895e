package io.caravan.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSliceAnswerTest {

    private final ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;

    @TempDir
    Path dir;

    @Test
    void sendsExactlyTheSliceInLargePiecesThenTheEnd() throws Exception {
        byte[] bytes = new byte[3 * FileSliceAnswer.PIECE + 12345];
        new Random(7).nextBytes(bytes);
        Path file = Files.write(dir.resolve("data"), bytes);
        List<Long> counted = new ArrayList<>();
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        long from = 1000;
        long length = bytes.length - 2000;
        FileSliceAnswer answer = new FileSliceAnswer(HttpResponseStatus.PARTIAL_CONTENT, channel, from, length, counted::add);

        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int pieces = 0;
        boolean ended = false;
        while (!answer.isEndOfInput()) {
            HttpContent content = answer.readChunk(allocator);
            if (content instanceof LastHttpContent) {
                assertThat(content.content().readableBytes()).isZero();
                ended = true;
            } else {
                assertThat(content.content().readableBytes()).isLessThanOrEqualTo(FileSliceAnswer.PIECE);
                pieces++;
            }
            content.content().readBytes(body, content.content().readableBytes());
            content.release();
        }

        assertThat(ended).isTrue();
        assertThat(answer.readChunk(allocator)).isNull();
        assertThat(body.toByteArray()).isEqualTo(Arrays.copyOfRange(bytes, (int) from, (int) (from + length)));
        assertThat(pieces).isEqualTo(4);
        assertThat(counted.stream().mapToLong(Long::longValue).sum()).isEqualTo(length);
        assertThat(answer.progress()).isEqualTo(length);
        assertThat(answer.getResponse().status()).isEqualTo(HttpResponseStatus.PARTIAL_CONTENT);

        answer.close();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aFileCutWhileItIsServedFailsTheAnswerInsteadOfEndingItShort() throws Exception {
        Path file = Files.write(dir.resolve("data"), new byte[2 * FileSliceAnswer.PIECE]);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        FileSliceAnswer answer = new FileSliceAnswer(HttpResponseStatus.OK, channel, 0, 2L * FileSliceAnswer.PIECE, n -> { });
        answer.readChunk(allocator).release();

        try (FileChannel cut = FileChannel.open(file, StandardOpenOption.WRITE)) {
            cut.truncate(FileSliceAnswer.PIECE + 10);
        }

        assertThatThrownBy(() -> answer.readChunk(allocator)).isInstanceOf(EOFException.class)
                .hasMessageContaining("changed meanwhile");
        assertThat(answer.isEndOfInput()).isFalse();
        answer.close();
    }

    @Test
    void anEmptySliceIsOnlyTheEnd() throws Exception {
        Path file = Files.write(dir.resolve("empty"), new byte[0]);
        FileSliceAnswer answer = new FileSliceAnswer(HttpResponseStatus.OK, FileChannel.open(file), 0, 0, n -> { });
        assertThat(answer.readChunk(allocator)).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(answer.isEndOfInput()).isTrue();
        answer.close();
    }
}

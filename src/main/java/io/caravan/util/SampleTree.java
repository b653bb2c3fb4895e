package io.caravan.util;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Generates a reproducible sample folder: nested folders, Unicode and space names, text that
 * compresses well, random bytes that do not, an empty file and an empty folder.
 */
public final class SampleTree {

    private SampleTree() {
    }

    public static void generate(Path root, long bigFileBytes, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        Files.createDirectories(root.resolve("docs/报告 2026"));
        Files.createDirectories(root.resolve("گزارش‌ها"));
        Files.createDirectories(root.resolve("빈 폴더"));
        for (int i = 0; i < 20; i++) {
            Files.writeString(root.resolve("docs/报告 2026/notes-" + i + ".txt"), text(random, 2_000 + random.nextInt(20_000)));
        }
        Files.writeString(root.resolve("گزارش‌ها/خلاصه (final) #1.txt"), text(random, 5_000));
        Files.writeString(root.resolve("README.txt"), "Caravan sample tree\n");
        Files.createFile(root.resolve("empty.dat"));
        writeRandom(root.resolve("data.bin"), bigFileBytes, random);
    }

    private static String text(SplittableRandom random, int length) {
        String[] words = {"caravan", "chunk", "manifest", "stream", "verify", "parcel", "route", "camel", "파일", "文件"};
        StringBuilder sb = new StringBuilder(length + 16);
        while (sb.length() < length) {
            sb.append(words[random.nextInt(words.length)]).append(random.nextInt(10) == 0 ? '\n' : ' ');
        }
        return sb.toString();
    }

    /** Half random, half repeated bytes: compressible about two to one. */
    private static void writeRandom(Path file, long size, SplittableRandom random) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += block.length) {
                for (int i = 0; i < block.length / 2; i += 8) {
                    long v = random.nextLong();
                    for (int b = 0; b < 8; b++) {
                        block[i + b] = (byte) (v >>> (8 * b));
                    }
                }
                byte[] pattern = "caravan ".getBytes(StandardCharsets.US_ASCII);
                for (int i = block.length / 2; i < block.length; i++) {
                    block[i] = pattern[i % pattern.length];
                }
                out.write(block, 0, (int) Math.min(block.length, size - written));
            }
        }
    }
}

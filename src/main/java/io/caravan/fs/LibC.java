package io.caravan.fs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.Locale;
import java.util.Map;

/**
 * The few Linux system calls Java does not offer: {@code openat} (to walk a path one segment at a
 * time without following links), {@code renameat2} (to exchange two entries atomically, or
 * rename without replacing) and {@code utimensat} (times the JDK cannot set, {@link FileTimes}). Everything else goes through {@code /proc/self/fd/<fd>/<name>}, which
 * the kernel resolves from the open directory itself, not from its path.
 */
interface LibC extends Library {

    LibC INSTANCE = Native.load("c", LibC.class, Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));

    boolean ARM = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT).matches("aarch64|arm.*");

    int O_PATH = 010000000;
    int O_DIRECTORY = ARM ? 040000 : 0200000;
    int O_NOFOLLOW = ARM ? 0100000 : 0400000;
    int O_CLOEXEC = 02000000;
    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_CREAT = 0100;
    int O_APPEND = 02000;
    int O_NONBLOCK = 04000;

    int RENAME_NOREPLACE = 1;
    int RENAME_EXCHANGE = 2;

    int ENOENT = 2;
    int EACCES = 13;
    int EEXIST = 17;
    int EXDEV = 18;
    int ENOTDIR = 20;
    int EINVAL = 22;
    int ENOSYS = 38;
    int ELOOP = 40;
    int ENXIO = 6;

    int open(String path, int flags, int mode) throws LastErrorException;

    int openat(int dirfd, String path, int flags, int mode) throws LastErrorException;

    int renameat2(int olddirfd, String oldpath, int newdirfd, String newpath, int flags) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    /** {@code times}: access then modification time, each as seconds and nanoseconds (a {@code struct timespec}). */
    int utimensat(int dirfd, String path, long[] times, int flags) throws LastErrorException;
}

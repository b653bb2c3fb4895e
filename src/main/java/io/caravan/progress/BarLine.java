package io.caravan.progress;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;

/**
 * The terminal line a progress bar owns. The bar is drawn on it after a carriage return; any other
 * line (a log line, a warning) is written after clearing it, and the bar is drawn again below. While
 * the bar shows, standard error goes through it too, so log lines (the console appender follows
 * {@code System.err}) never cut the bar and the bar never overwrites them.
 */
final class BarLine extends ConsoleProgressBarConsumer {

    private static final String CLEAR = "\r\u001b[2K";

    private final PrintStream terminal;
    private String bar = "";
    private PrintStream previousErr;
    private LineBuffer errLines;

    BarLine(PrintStream terminal) {
        super(terminal);
        this.terminal = terminal;
    }

    @Override
    public synchronized void accept(String rendered) {
        bar = rendered;
        super.accept(rendered);
    }

    /** Writes {@code text} as a line of its own above the bar, then draws the bar again. */
    synchronized void println(String text) {
        terminal.print(CLEAR);
        terminal.println(text);
        if (!bar.isEmpty()) {
            super.accept(bar);
        }
        terminal.flush();
    }

    /** Routes standard error above the bar until {@link #release()}. */
    synchronized void takeOverStandardError() {
        previousErr = System.err;
        errLines = new LineBuffer();
        System.setErr(new PrintStream(errLines, true, StandardCharsets.UTF_8));
    }

    /** Gives standard error back (after the bar closed), with any unfinished line. */
    synchronized void release() {
        if (previousErr != null) {
            System.setErr(previousErr);
            errLines.flushPartialLine();
            previousErr = null;
        }
    }

    @Override
    public synchronized void close() {
        super.close();
        bar = "";
    }

    /** Collects bytes into lines and writes each complete line above the bar. */
    private final class LineBuffer extends OutputStream {
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            synchronized (BarLine.this) {
                if (b == '\n') {
                    String line = pending.toString(StandardCharsets.UTF_8);
                    pending.reset();
                    println(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
                } else {
                    pending.write(b);
                }
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            synchronized (BarLine.this) {
                for (int i = offset; i < offset + length; i++) {
                    write(bytes[i]);
                }
            }
        }

        void flushPartialLine() {
            if (pending.size() > 0) {
                previousErrOrTerminal().print(pending.toString(StandardCharsets.UTF_8));
                pending.reset();
            }
        }
    }

    private PrintStream previousErrOrTerminal() {
        return previousErr != null ? previousErr : terminal;
    }
}

package io.hifadhi.node.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

/**
 * A transfer's progress bar on stderr (me.tongfei:progressbar), only when a person is watching: with
 * output piped or redirected, or --json, or --no-progress, nothing is drawn.
 */
final class TransferProgress implements AutoCloseable {
    private final ProgressBar bar;

    private TransferProgress(ProgressBar bar) {
        this.bar = bar;
    }

    static TransferProgress of(boolean show, String task, long totalBytes, PrintStream err) {
        if (!show) {
            return new TransferProgress(null);
        }
        return new TransferProgress(new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(totalBytes, 0))
                .setUnit(" MiB", 1 << 20).showSpeed().setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setUpdateIntervalMillis(200).setMaxRenderedLength(100)
                .setConsumer(new ConsoleProgressBarConsumer(err)).setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS)
                .continuousUpdate().build());
    }

    /** Whether a person is at a terminal: the JVM has a console (stdin and stdout are terminals). */
    static boolean interactive() {
        return System.console() != null;
    }

    void add(long bytes) {
        if (bar != null) {
            bar.stepBy(bytes);
        }
    }

    /** Counts what passes through into this bar. */
    InputStream counting(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    add(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) {
                    add(n);
                }
                return n;
            }
        };
    }

    /** Back to a mark (a part sent again after a failure). */
    void stepTo(long bytes) {
        if (bar != null) {
            bar.stepTo(bytes);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}

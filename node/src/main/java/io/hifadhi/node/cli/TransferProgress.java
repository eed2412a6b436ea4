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

    /** The first {@code limit} bytes of a stream, counted into this bar as they are read. */
    InputStream counting(InputStream in, long limit) {
        return new FilterInputStream(in) {
            private long left = limit;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(buf, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
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

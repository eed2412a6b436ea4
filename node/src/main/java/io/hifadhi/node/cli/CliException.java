package io.hifadhi.node.cli;

/** A failure to tell the operator in one sentence (no stack trace), with the process exit status. */
final class CliException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int exitStatus;

    CliException(String message, int exitStatus) {
        super(message, null, false, false);
        this.exitStatus = exitStatus;
    }

    int exitStatus() {
        return exitStatus;
    }
}

package org.blkdebug.cli;

/** Placeholder entry point. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(0);
    }
}

package org.blkdebug.cli.reliability;

import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;

/** A terminal's input that a test types into line by line; {@link #close} is Ctrl-D (end of input). */
final class Keyboard extends InputStream {
    private static final int EOF = -1;
    private final LinkedBlockingQueue<Integer> keys = new LinkedBlockingQueue<>();

    void type(String text) {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            keys.add(b & 0xff);
        }
    }

    @Override
    public int read() throws InterruptedIOException {
        try {
            int k = keys.take();
            if (k == EOF) {
                keys.add(EOF); // stays at end of input for every later read
            }
            return k;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException();
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws InterruptedIOException {
        if (len == 0) {
            return 0;
        }
        int first = read();
        if (first == EOF) {
            return -1;
        }
        b[off] = (byte) first;
        int n = 1;
        Integer next;
        while (n < len && (next = keys.peek()) != null && next != EOF) {
            b[off + n++] = (byte) (int) keys.poll();
        }
        return n;
    }

    @Override
    public int available() {
        return keys.size();
    }

    @Override
    public void close() {
        keys.add(EOF);
    }
}

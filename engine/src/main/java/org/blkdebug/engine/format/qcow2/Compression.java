package org.blkdebug.engine.format.qcow2;

import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * qcow2's zlib compression of whole clusters: raw deflate, no header. QEMU compresses with a
 * 4 KiB window and memLevel 9, which java.util.zip cannot set; the stream differs in its bytes
 * and sometimes its length, but any raw deflate stream inflates in one call with QEMU's 4 KiB
 * window (every back reference lies inside the cluster already produced), so images stay
 * interchangeable (docs/qcow2.md).
 */
final class Compression {
    static final int ZLIB = 0;

    private Compression() {
    }

    /** qcow2_zlib_compress: the compressed length, or -1 when it would not fit in {@code destSize}. */
    static int compress(byte[] src, byte[] dest, int destSize) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            d.setInput(src);
            d.finish();
            int n = 0;
            while (!d.finished()) {
                if (n == destSize) {
                    return -1;
                }
                n += d.deflate(dest, n, destSize - n);
            }
            return n;
        } finally {
            d.end();
        }
    }

    /** qcow2_zlib_decompress: true when exactly {@code dest.length} bytes came out. */
    static boolean decompress(byte[] src, int srcLen, byte[] dest) {
        Inflater inf = new Inflater(true);
        try {
            // nowrap inflaters may want one byte past the stream: give them the whole sector slack
            inf.setInput(src, 0, srcLen);
            int n = 0;
            while (n < dest.length) {
                int got = inf.inflate(dest, n, dest.length - n);
                if (got == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += got;
            }
            return n == dest.length;
        } catch (DataFormatException e) {
            return false;
        } finally {
            inf.end();
        }
    }
}

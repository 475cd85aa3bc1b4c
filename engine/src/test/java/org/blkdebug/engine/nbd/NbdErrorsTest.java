package org.blkdebug.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletionException;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;
import org.junit.jupiter.api.Test;

class NbdErrorsTest {
    @Test
    void theEightNbdErrorsPassThrough() {
        for (int e : new int[] {Errno.EPERM, Errno.EIO, Errno.ENOMEM, Errno.EINVAL, Errno.ENOSPC, 75, Errno.ENOTSUP,
                Errno.ESHUTDOWN}) {
            assertThat(NbdErrors.toNbd(e)).isEqualTo(e);
        }
    }

    /** qemu-nbd 7.2's system_errno_to_nbd_errno: the spec's EDQUOT/EFBIG → ENOSPC, and EROFS → EPERM. */
    @Test
    void quotaAndFileSizeErrorsAreEnospcAndReadOnlyIsEperm() {
        assertThat(NbdErrors.toNbd(Errno.EFBIG)).isEqualTo(Errno.ENOSPC);
        assertThat(NbdErrors.toNbd(122 /* EDQUOT */)).isEqualTo(Errno.ENOSPC);
        assertThat(NbdErrors.toNbd(Errno.EROFS)).isEqualTo(Errno.EPERM);
    }

    /** Also qemu-nbd's: an errno the protocol cannot carry is EINVAL, not EIO. */
    @Test
    void everyOtherErrnoIsEinval() {
        for (int e : new int[] {Errno.EACCES, Errno.ENOMEDIUM, Errno.ECANCELED, Errno.EINTR, Errno.ENOENT,
                Errno.ETIMEDOUT, Errno.EAGAIN}) {
            assertThat(NbdErrors.toNbd(e)).as("errno %d", e).isEqualTo(Errno.EINVAL);
        }
    }

    @Test
    void failuresAreUnwrapped() {
        assertThat(NbdErrors.of(new CompletionException(new BlockException(Errno.ENOSPC)))).isEqualTo(Errno.ENOSPC);
        assertThat(NbdErrors.of(new IllegalStateException("bug"))).isEqualTo(Errno.EIO);
    }
}

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

    @Test
    void everyOtherErrnoIsEio() {
        for (int e : new int[] {Errno.EROFS, Errno.EACCES, Errno.ENOMEDIUM, Errno.ECANCELED, Errno.EFBIG, Errno.EINTR}) {
            assertThat(NbdErrors.toNbd(e)).isEqualTo(Errno.EIO);
        }
    }

    @Test
    void failuresAreUnwrapped() {
        assertThat(NbdErrors.of(new CompletionException(new BlockException(Errno.ENOSPC)))).isEqualTo(Errno.ENOSPC);
        assertThat(NbdErrors.of(new IllegalStateException("bug"))).isEqualTo(Errno.EIO);
    }
}

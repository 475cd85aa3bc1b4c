package org.blkdebug.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;

/** {@code -Dblkdebug.explore.choice=fail:2} runs that invocation alone. */
class ExploreChoicePropertyTest {
    private static final List<String> RAN = new ArrayList<>();
    private static String before;

    @BeforeAll
    static void chooseOne() {
        before = System.getProperty(ExploreExtension.CHOICE_PROPERTY);
        System.setProperty(ExploreExtension.CHOICE_PROPERTY, "fail:2");
    }

    @AfterAll
    static void onlyThatOneRan() {
        if (before == null) {
            System.clearProperty(ExploreExtension.CHOICE_PROPERTY);
        } else {
            System.setProperty(ExploreExtension.CHOICE_PROPERTY, before);
        }
        assertThat(RAN).containsExactly("[1] fail:2 failed write #2");
    }

    @FailEach(iotype = "write")
    void threeWrites(Device dev, TestInfo info) throws Exception {
        for (int i = 1; i <= 3; i++) {
            try {
                dev.write(0, ByteBuffer.allocate(512));
            } catch (BlockException e) {
                RAN.add(info.getDisplayName() + " failed write #" + i);
            }
        }
    }
}

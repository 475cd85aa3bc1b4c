package org.blkdebug.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The debug events of QEMU's {@code BlkdebugEvent} (qapi/block-core.json), in QEMU's enum
 * order and with QEMU's spellings. Rules and breakpoints are keyed by these, or by a
 * {@link CustomEvent} of the code above the device.
 *
 * <p>The old dotted spellings ({@code pwritev_rmw.head}) are rejected, as QEMU 2.5 and later do.
 */
public enum Event implements EventName {
    L1_UPDATE("l1_update"),
    L1_GROW_ALLOC_TABLE("l1_grow_alloc_table"),
    L1_GROW_WRITE_TABLE("l1_grow_write_table"),
    L1_GROW_ACTIVATE_TABLE("l1_grow_activate_table"),
    L2_LOAD("l2_load"),
    L2_UPDATE("l2_update"),
    L2_UPDATE_COMPRESSED("l2_update_compressed"),
    L2_ALLOC_COW_READ("l2_alloc_cow_read"),
    L2_ALLOC_WRITE("l2_alloc_write"),
    READ_AIO("read_aio"),
    READ_BACKING_AIO("read_backing_aio"),
    READ_COMPRESSED("read_compressed"),
    WRITE_AIO("write_aio"),
    WRITE_COMPRESSED("write_compressed"),
    VMSTATE_LOAD("vmstate_load"),
    VMSTATE_SAVE("vmstate_save"),
    COW_READ("cow_read"),
    COW_WRITE("cow_write"),
    REFTABLE_LOAD("reftable_load"),
    REFTABLE_GROW("reftable_grow"),
    REFTABLE_UPDATE("reftable_update"),
    REFBLOCK_LOAD("refblock_load"),
    REFBLOCK_UPDATE("refblock_update"),
    REFBLOCK_UPDATE_PART("refblock_update_part"),
    REFBLOCK_ALLOC("refblock_alloc"),
    REFBLOCK_ALLOC_HOOKUP("refblock_alloc_hookup"),
    REFBLOCK_ALLOC_WRITE("refblock_alloc_write"),
    REFBLOCK_ALLOC_WRITE_BLOCKS("refblock_alloc_write_blocks"),
    REFBLOCK_ALLOC_WRITE_TABLE("refblock_alloc_write_table"),
    REFBLOCK_ALLOC_SWITCH_TABLE("refblock_alloc_switch_table"),
    CLUSTER_ALLOC("cluster_alloc"),
    CLUSTER_ALLOC_BYTES("cluster_alloc_bytes"),
    CLUSTER_FREE("cluster_free"),
    FLUSH_TO_OS("flush_to_os"),
    FLUSH_TO_DISK("flush_to_disk"),
    PWRITEV_RMW_HEAD("pwritev_rmw_head"),
    PWRITEV_RMW_AFTER_HEAD("pwritev_rmw_after_head"),
    PWRITEV_RMW_TAIL("pwritev_rmw_tail"),
    PWRITEV_RMW_AFTER_TAIL("pwritev_rmw_after_tail"),
    PWRITEV("pwritev"),
    PWRITEV_ZERO("pwritev_zero"),
    PWRITEV_DONE("pwritev_done"),
    EMPTY_IMAGE_PREPARE("empty_image_prepare"),
    L1_SHRINK_WRITE_TABLE("l1_shrink_write_table"),
    L1_SHRINK_FREE_L2_CLUSTERS("l1_shrink_free_l2_clusters"),
    COR_WRITE("cor_write"),
    CLUSTER_ALLOC_SPACE("cluster_alloc_space"),
    NONE("none");

    private static final Map<String, Event> BY_NAME = new HashMap<>();

    static {
        for (Event e : values()) {
            BY_NAME.put(e.qemuName, e);
        }
    }

    private final String qemuName;

    Event(String qemuName) {
        this.qemuName = qemuName;
    }

    /** The name QEMU uses, e.g. {@code write_aio}. */
    public String qemuName() {
        return qemuName;
    }

    @Override
    public String eventName() {
        return qemuName;
    }

    /** Exact, case-sensitive lookup by QEMU name. */
    public static Optional<Event> byName(String name) {
        return Optional.ofNullable(name == null ? null : BY_NAME.get(name));
    }

    @Override
    public String toString() {
        return qemuName;
    }
}
